"""The `sciatica-care` command: `main.py` holds the group, one module per command group beside it, and `_io.py`
the shared refusal, `--format` and document-reading helpers. Nothing below the CLI imports this package."""
