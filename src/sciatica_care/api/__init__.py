"""The JSON API (django-ninja), mounted under /api/."""
