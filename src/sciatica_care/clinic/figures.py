"""The body figures and printed documents for a stored plan, from the report modules (imported lazily: fpdf2
and the figures are needed only by the pages that show or print them)."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from sciatica_care.clinic.models import PlanRevision


def plan_chart(revision: PlanRevision) -> SafeString | None:
    """The planned points on the body (inline SVG), or None when treatment is withheld (no points to draw)."""
    plan = revision.plan
    if not plan.get("treatment_allowed", True):
        return None
    from sciatica_care.knowledge.load import load_knowledge
    from sciatica_care.reports.body.figure import chart_svg

    # chart_svg escapes every text and attribute it writes.
    return mark_safe(chart_svg(plan, load_knowledge(), uid="planchart"))  # noqa: S308


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
