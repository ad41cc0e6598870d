"""The test suite, one folder per concern, each database test run on SQLite and on PostgreSQL."""
