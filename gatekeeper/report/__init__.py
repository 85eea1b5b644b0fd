"""Release reports: report.json is the record; HTML, JUnit and markdown render from it alone."""
