"""ASGI entry point: `uvicorn sciatica_care.site.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciatica_care.site.settings")
application = get_asgi_application()
