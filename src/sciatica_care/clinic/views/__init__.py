"""The clinic's pages; thin: parse, check access (access.py), call records.py, render."""
