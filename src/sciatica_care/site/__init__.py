"""The Django project around the `clinic` app: settings, URLs, WSGI/ASGI entry points."""
