"""Helpers shared by the tests: tiny models, bundles, reports, integrity and release fixtures."""
