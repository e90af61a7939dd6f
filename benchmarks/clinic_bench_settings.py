"""The app's own settings, unchanged, with a benchmark URLconf that adds a trivial view (benchmarks only).

Selected by clinic_load.py with DJANGO_SETTINGS_MODULE=clinic_bench_settings and benchmarks/ on PYTHONPATH.
"""

from sciatica_care.site.settings import *  # noqa: F403 - the app's settings, every one of them

ROOT_URLCONF = "clinic_bench_urls"
