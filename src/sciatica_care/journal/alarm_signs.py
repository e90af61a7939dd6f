"""The emergency questions of the daily diary: signs of cauda equina compression a patient may notice at home.

Each question names the red flags of the triage knowledge (`triage.yaml`) it reports, all of them "now":
emergency department within hours (facts.md §9: cauda equina signs and symptoms turning bilateral → now, ED
[CKS-a; NHS-s; RefH]). The words a patient reads when they tick one — what to do and why — are the knowledge's
own (`patient_text` of each flag, and the timing words for "now"), so the diary and the clinic's screen say the
same thing. Which flags a question reports is here; the advice is assembled at the seam (`clinic/clinical.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct


class AlarmQuestion(Struct, frozen=True):
    id: str
    label: str  # what the patient reads beside the tick box: something new since their last entry
    flags: tuple[str, ...]  # the triage red flags it reports


ALARM_QUESTIONS: tuple[AlarmQuestion, ...] = (
    AlarmQuestion("bladder_bowel", "New trouble with your bladder or bowels: passing water, a weaker flow, "
                  "not feeling when you need to go, or leaking", ("bladder_dysfunction", "bowel_dysfunction")),
    AlarmQuestion("saddle_numbness", "New numbness or tingling between your legs, around your back passage or "
                  "genitals", ("saddle_anaesthesia",)),
    AlarmQuestion("both_legs", "New weakness, numbness or pain in both legs", ("bilateral_sudden",)),
)
ALARM_IDS = tuple(q.id for q in ALARM_QUESTIONS)


def unknown_signs(ticked: Iterable[str]) -> list[str]:
    """The ticked ids that are not diary questions (the edge refuses them by name)."""
    return [t for t in ticked if t not in ALARM_IDS]


def flags_reported(ticked: Iterable[str]) -> tuple[str, ...]:
    """The red flags the ticked questions report, in the questions' order, each once."""
    chosen = set(ticked)
    out: list[str] = []
    for question in ALARM_QUESTIONS:
        if question.id in chosen:
            out.extend(f for f in question.flags if f not in out)
    return tuple(out)
