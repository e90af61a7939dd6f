"""WSGI entry point: `gunicorn sciatica_care.site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciatica_care.site.settings")
application = get_wsgi_application()
