"""The package version: one place, read by the CLI, the report and the build (pyproject)."""

__version__ = "0.1.0"
