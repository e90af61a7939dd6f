"""The body figures and printed documents for a stored plan, from the report modules (imported lazily: fpdf2
and the figures are needed only by the pages that show or print them)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import caches
from django.db.models import TextField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from sciatica_care.clinic.models import UNREADABLE_PLAN, PlanRevision
from sciatica_care.reports.letterhead import Letterhead
from sciatica_care.version import __version__

if TYPE_CHECKING:
    from sciatica_care.clinic.clinical import Plan

#: Bump when _plan_body.html, _plan_points.html or the figure change shape (a new release also changes the key).
PLAN_BODY_CACHE_VERSION = 3
FIGURE_CACHE_SECONDS = 24 * 60 * 60

#: Its own cache (settings.CACHES["plan_bodies"], bounded), so bodies of ~10–140 KB never evict the login
#: throttle's counters from the default cache; the default cache if a settings module leaves it out.
PLAN_BODY_CACHE = "plan_bodies"


def plan_chart(plan: Plan) -> SafeString | None:
    """The planned points on the body (inline SVG), or None when treatment is withheld (no points to draw)."""
    if not plan.treatment_allowed:
        return None
    from sciatica_care.clinic.clinical import knowledge as load_knowledge
    from sciatica_care.reports.body.figure import chart_svg

    # chart_svg escapes every text and attribute it writes.
    return mark_safe(chart_svg(plan, load_knowledge(), uid="planchart"))  # noqa: S308


def plan_body_key(revision: PlanRevision, plan_text: str | None = None) -> str:
    """The cache key of a revision's rendered body: a digest of the stored plan (the body is drawn from the plan
    alone), the engine and knowledge that decided it, and the release and knowledge that draw it.

    Keyed by content, not by revision id: revisions with the same plan (the engine is deterministic, so similar
    presentations get identical plans) share one rendering, which cannot leak anything — anyone who can read
    either revision would render exactly the same bytes from their own copy of the plan. And a plan changed behind
    the app's back (raw SQL, a restored backup) can never be served from a stale entry.

    `plan_text` is the plan as the database holds it (`stored_plan_text`): hashing it (~0.05 ms) spares the plan
    view decoding and re-encoding 16–45 KB of JSON on every request. Without it the plan is serialised canonically.
    The same plan may so have two keys (stored text and canonical form): that costs a render, never a wrong body.
    """
    from sciatica_care.clinic.clinical import knowledge as load_knowledge

    if plan_text is None:
        plan_text = "canonical:" + json.dumps(revision.plan, sort_keys=True, separators=(",", ":"),
                                              ensure_ascii=False)
    digest = hashlib.sha256(plan_text.encode()).hexdigest()
    return (f"plan-body:v{PLAN_BODY_CACHE_VERSION}:{__version__}:{load_knowledge().version}:"
            f"{revision.engine_version}:{revision.knowledge_version}:{digest}")


def stored_plan_text() -> Cast:
    """Annotate a PlanRevision query with this (`plan_text=…`, the plan itself left out) for `cached_plan_body`."""
    return Cast("plan", TextField())


@dataclass(frozen=True)
class PlanBody:
    html: SafeString
    treatment_allowed: bool
    #: The referral timing banner (clinic/_plan_timing.html), shown first on the page; the body leaves it out.
    timing: str = ""


def cached_plan_body(revision: PlanRevision, plan_text: str | None = None) -> PlanBody:
    """The plan's body (clinic/_plan_body.html with the body figure) as HTML, rendered once per distinct plan,
    with the one fact of the plan the page around it needs.

    A stored plan never changes, and the body is drawn from the plan alone — no user, request, session, CSRF
    token or CSP nonce goes into it (it is rendered without a request, so no context processor can add one) —
    so every reader gets the same bytes. Callers must have checked access (and written the audit event) first.
    Autoescaping applies when it is rendered; the cached string is that escaped output.

    With `plan_text` the revision may come with its plan deferred: the plan is decoded from that text, and only
    when the body has to be rendered.
    """
    def render() -> dict[str, Any]:
        from sciatica_care.clinic.clinical import PlanUnreadable, read_plan

        try:
            plan = read_plan(plan_text if plan_text is not None else revision.plan)
        except PlanUnreadable as exc:
            # A stored plan without a safety field, or corrupt, is never read as allowed.
            html = render_to_string("clinic/_plan_unreadable.html", {"message": UNREADABLE_PLAN, "detail": str(exc)})
            return {"html": html, "treatment_allowed": False, "timing": ""}
        html = render_to_string("clinic/_plan_body.html",
                                {"plan": plan, "chart": plan_chart(plan), "timing_shown": True})
        timing = render_to_string("clinic/_plan_timing.html", {"plan": plan})
        return {"html": html, "treatment_allowed": plan.treatment_allowed, "timing": timing}

    entry = _cached(PLAN_BODY_CACHE, plan_body_key(revision, plan_text), render)
    return PlanBody(mark_safe(entry["html"]), entry["treatment_allowed"],  # noqa: S308 - autoescaped output
                    mark_safe(entry.get("timing", "")))  # noqa: S308 - autoescaped output


#: Drawn progress charts, keyed by what they show (`progress_chart_svg`); ~35 KB each.
CHART_CACHE = "charts"
CHART_CACHE_VERSION = 1


def progress_chart_svg(series: Sequence[Any]) -> str:
    """The progress chart (reports/progress_chart.py, matplotlib: ~70–90 ms to draw) for an episode's series, drawn once
    per distinct content and then served from the cache.

    Keyed by a digest of everything drawn — each series' measure, label, scale, minimal important change and
    (day, score) points — and the release, never by episode: a new score makes a new key, so a stale chart cannot
    be served, and the chart carries no name, id or date of drawing, so two courses with the same scores sharing
    one drawing reveals nothing. Callers must have checked access (and written the audit event) first."""
    from sciatica_care.reports.progress_chart import ChartSeries, progress_svg

    chart = [ChartSeries(s.measure, s.name, [(p.day, p.value) for p in s.points], s.scale_high, s.mcid)
             for s in series]
    content = repr([(c.gid, c.label, c.scale_high, c.mcid, [(d.isoformat(), v) for d, v in c.points])
                    for c in chart])
    key = (f"progress-chart:v{CHART_CACHE_VERSION}:{__version__}:"
           f"{hashlib.sha256(content.encode()).hexdigest()}")
    return str(_cached(CHART_CACHE, key, lambda: progress_svg(chart)))


def _cached(cache_name: str, key: str, make: Callable[[], Any]) -> Any:
    """The value under `key` in the named cache (the default cache if a settings module leaves it out), made by
    `make` and stored on a miss."""
    cache = caches[cache_name if cache_name in settings.CACHES else "default"]
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, FIGURE_CACHE_SECONDS)
    return value


def handout_html(revision: PlanRevision, letterhead: Letterhead | None = None) -> str:
    """The patient handout as a self-contained page; raises `UnsafeHandout` (pregnancy guard)."""
    from sciatica_care.reports.handout import handout_html as build

    return build(revision.intake.data, revision.plan, letterhead=letterhead)


def handout_pdf(revision: PlanRevision, letterhead: Letterhead | None = None) -> bytes:
    from sciatica_care.reports.handout import handout_pdf as build

    return build(revision.intake.data, revision.plan, letterhead=letterhead)


def practitioner_pdf(revision: PlanRevision, letterhead: Letterhead | None = None) -> bytes:
    from sciatica_care.reports.practitioner import practitioner_pdf as build

    return build(revision.plan, letterhead=letterhead)
