"""The body figures and printed documents for a stored plan, from the report modules (imported lazily: fpdf2
and the figures are needed only by the pages that show or print them)."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from sciatica_care.clinic.models import PlanRevision
from sciatica_care.version import __version__

#: Bump when _plan_body.html, _plan_points.html or the figure change shape (a new release also changes the key).
PLAN_BODY_CACHE_VERSION = 1
PLAN_BODY_CACHE_SECONDS = 24 * 60 * 60

#: Its own cache (settings.CACHES["plan_bodies"], bounded), so bodies of ~10–140 KB never evict the login
#: throttle's counters from the default cache; the default cache if a settings module leaves it out.
PLAN_BODY_CACHE = "plan_bodies"


def plan_chart(revision: PlanRevision) -> SafeString | None:
    """The planned points on the body (inline SVG), or None when treatment is withheld (no points to draw)."""
    plan = revision.plan
    if not plan.get("treatment_allowed", True):
        return None
    from sciatica_care.knowledge.load import load_knowledge
    from sciatica_care.reports.body.figure import chart_svg

    # chart_svg escapes every text and attribute it writes.
    return mark_safe(chart_svg(plan, load_knowledge(), uid="planchart"))  # noqa: S308


def plan_body_key(revision: PlanRevision) -> str:
    """The cache key of a revision's rendered body: a digest of the stored plan (the body is drawn from the plan
    alone), the engine and knowledge that decided it, and the release and knowledge that draw it.

    Keyed by content, not by revision id: revisions with the same plan (the engine is deterministic, so similar
    presentations get identical plans) share one rendering, which cannot leak anything — anyone who can read
    either revision would render exactly the same bytes from their own copy of the plan. And a plan changed behind
    the app's back (raw SQL) can never be served from a stale entry. The digest costs ~0.3–0.5 ms; a miss (figure
    + template) ~8 ms."""
    from sciatica_care.knowledge.load import load_knowledge

    digest = hashlib.sha256(json.dumps(revision.plan, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False).encode()).hexdigest()
    return (f"plan-body:v{PLAN_BODY_CACHE_VERSION}:{__version__}:{load_knowledge().version}:"
            f"{revision.engine_version}:{revision.knowledge_version}:{digest}")


def plan_body(revision: PlanRevision) -> SafeString:
    """The plan's body (clinic/_plan_body.html with the body figure) as HTML, rendered once per distinct plan.

    A stored plan never changes, and the body is drawn from the plan alone — no user, request, session, CSRF
    token or CSP nonce goes into it (it is rendered without a request, so no context processor can add one) —
    so every reader gets the same bytes. Callers must have checked access (and written the audit event) first.
    Autoescaping applies when it is rendered; the cached string is that escaped output.
    """
    cache = caches[PLAN_BODY_CACHE if PLAN_BODY_CACHE in settings.CACHES else "default"]
    key = plan_body_key(revision)
    html = cache.get(key)
    if html is None:
        html = render_to_string("clinic/_plan_body.html", {"plan": revision.plan, "chart": plan_chart(revision)})
        cache.set(key, html, PLAN_BODY_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - the template's own autoescaped output


def handout_html(revision: PlanRevision) -> str:
    """The patient handout as a self-contained page; raises `UnsafeHandout` (pregnancy guard)."""
    from sciatica_care.reports.handout import handout_html as build

    return build(revision.intake.data, revision.plan)


def handout_pdf(revision: PlanRevision) -> bytes:
    from sciatica_care.reports.handout import handout_pdf as build

    return build(revision.intake.data, revision.plan)


def practitioner_pdf(revision: PlanRevision) -> bytes:
    from sciatica_care.reports.practitioner import practitioner_pdf as build

    return build(revision.plan)
