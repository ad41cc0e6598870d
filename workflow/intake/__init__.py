"""Bulk docking from a bureau's spreadsheet: reading the file, mapping its columns, checking
every row as `dock` would, and docking them all in one transaction or none."""
