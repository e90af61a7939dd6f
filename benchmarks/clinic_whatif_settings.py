"""What-if: the benchmark settings plus fixes suggested for the app, to measure them without changing the app.

    python benchmarks/clinic_queries.py --data-dir DIR --settings clinic_whatif_settings --warm-plan-html
    python benchmarks/clinic_load.py --data-dir DIR --settings clinic_whatif_settings

`CLINIC_WHATIF` picks the fixes (comma-separated; default: all of them):

- `sqlite_conn`: SQLite keeps its connections (CONN_MAX_AGE), as PostgreSQL already does. Today every request on
  SQLite opens a new connection (init PRAGMAs, an empty page cache) and closes it.
- `plan_html`: the plan view shows a plan body rendered once, when the plan was decided, and stored in the
  database: a stored plan never changes. Emulated with the app's own `clinic/plan.html`, read from the package,
  its `{% include "clinic/_plan_body.html" %}` wrapped in `{% cache None plan_body revision.pk using="plan_html" %}`
  (a locmem template loader in front of the app's templates) over Django's database cache in the bench database,
  filled beforehand for every plan by `clinic_queries.py --warm-plan-html`.

Neither is in the app; the report that comes with these benchmarks says what to change there.
"""

import os
from pathlib import Path

from clinic_bench_settings import *  # noqa: F403 - the app's settings and the bench URLconf
from clinic_bench_settings import CACHES, DATABASES, TEMPLATES

import sciatica_care.clinic

WHATIF = {k.strip() for k in os.environ.get("CLINIC_WHATIF", "sqlite_conn,plan_html").split(",") if k.strip()}
PLAN_HTML_TABLE = "bench_plan_html"

if "sqlite_conn" in WHATIF and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if "plan_html" in WHATIF:
    _INCLUDE = '{% include "clinic/_plan_body.html" %}'
    _plan = (Path(sciatica_care.clinic.__file__).parent / "templates" / "clinic" / "plan.html").read_text()
    if _INCLUDE not in _plan:
        raise RuntimeError("clinic/plan.html no longer includes the plan body as expected: update this what-if")
    _plan = _plan.replace(_INCLUDE, '{% load cache %}{% cache None plan_body revision.pk using="plan_html" %}'
                          + _INCLUDE + "{% endcache %}")
    CACHES = {**CACHES, "plan_html": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": PLAN_HTML_TABLE, "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 10_000_000}}}
    _engine = dict(TEMPLATES[0])
    _engine["APP_DIRS"] = False
    _engine["OPTIONS"] = {**_engine["OPTIONS"], "loaders": [("django.template.loaders.cached.Loader", [
        ("django.template.loaders.locmem.Loader", {"clinic/plan.html": _plan}),
        "django.template.loaders.app_directories.Loader",
    ])]}
    TEMPLATES = [_engine]
