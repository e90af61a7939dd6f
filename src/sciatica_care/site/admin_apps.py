"""Django's admin app with the superuser-only site as its default `admin.site` (see `admin_site.py`)."""

from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    default_site = "sciatica_care.site.admin_site.SuperuserAdminSite"
