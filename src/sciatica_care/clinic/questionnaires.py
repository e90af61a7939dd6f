"""The questionnaires a form asks: which are due (from `outcomes.questionnaires_due`), their items in the wording in
effect (our own words, or the wording a clinic is licensed to use), and reading the answers back.

Field names are `<measure>_<item>` (e.g. `odi_0` … `odi_9`, `sbi_0`); the two pain scales are the visit's own
`leg_nrs` and `back_nrs` fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import QueryDict

from sciatica_care.clinic.clinical import INSTRUMENTS, Due, questionnaires_due, wording_in_effect
from sciatica_care.clinic.input_cleaning import Unreadable, whole_number
from sciatica_care.clinic.models import Clinic, Episode
from sciatica_care.errors import Problem

LONG_FORMS = ("odi", "rmdq", "sbi", "startback")
REASON_WORDS = {"every_visit": "every visit", "baseline": "baseline", "every_n_visits": "regular check",
                "discharge": "discharge", "intake": "intake"}


def due_for(clinic: Clinic, visit_number: int, *, discharge: bool = False) -> list[Due]:
    return questionnaires_due(visit_number, every_n_visits=clinic.questionnaire_every_n_visits or 4,
                              discharge=discharge,
                              disability_instrument=clinic.disability_instrument)  # type: ignore[arg-type]


def next_visit_number(episode: Episode) -> int:
    return episode.visits.count() + 1


def wording_folder() -> Path | None:
    """Where `sciatica-care instruments load` keeps the wording a clinic is licensed to use: `wording/` in the
    data folder (the command's default). Without a file there, our own words (or the ODI's topics) are asked."""
    data_dir = getattr(settings, "DATA_DIR", None)
    return Path(data_dir) / "wording" if data_dir else None


@dataclass
class Question:
    name: str
    number: int
    prompt: str
    options: list[tuple[str, str]]  # (value, label)
    value: str


@dataclass
class Questionnaire:
    measure: str
    instrument: str
    title: str
    instructions: str
    reasons: str
    questions: list[Question]
    topics_only: bool


def questionnaire(measure: str, post: QueryDict | None = None, reasons: tuple[str, ...] = ()) -> Questionnaire:
    """One questionnaire's form: items in the wording in effect, answers kept from `post` when given."""
    instrument = INSTRUMENTS[measure]
    wording = wording_in_effect(measure, wording_folder())
    questions = []
    for k, (item, words) in enumerate(zip(instrument.items, wording.items, strict=True)):
        values = range(item.low, item.high + 1)
        if words.options:
            options = [(str(v), f"{v} — {text}") for v, text in zip(values, words.options, strict=True)]
        elif (item.low, item.high) == (0, 1):
            options = [("0", "0 — no"), ("1", "1 — yes")]
        else:
            options = [(str(v), str(v)) for v in values]
        name = f"{measure}_{k}"
        questions.append(Question(name, k + 1, words.prompt, options, post.get(name, "") if post else ""))
    return Questionnaire(measure, measure, instrument.name, wording.instructions or "",
                         ", ".join(REASON_WORDS.get(r, r) for r in reasons), questions,
                         wording.origin == "topics_only")


def forms_due(due: list[Due], post: QueryDict | None = None) -> list[Questionnaire]:
    return [questionnaire(d.measure, post, d.reasons) for d in due if d.measure in LONG_FORMS]


def read_answers(post: QueryDict, measure: str) -> tuple[list[int | None] | None, list[Problem]]:
    """The answers to one questionnaire (None for an unanswered item), or None when nothing was answered."""
    instrument = INSTRUMENTS[measure]
    raw = [post.get(f"{measure}_{k}", "").strip() for k in range(len(instrument.items))]
    if not any(raw):
        return None, []
    problems: list[Problem] = []
    answers: list[int | None] = []
    for k, (item, value) in enumerate(zip(instrument.items, raw, strict=True)):
        if not value:
            answers.append(None)
            continue
        try:  # the digits 0-9 only: "²" and "٣" are refused in words, never a server error
            answers.append(whole_number(value, item.low, item.high, what=f"{instrument.name} item {k + 1}"))
        except Unreadable as exc:
            problems.append(Problem(f"{measure}_{k}", str(exc)))
            answers.append(None)
    return answers, problems


def sent_answers(post: QueryDict, measure: str) -> tuple[list[int | None] | None, list[Problem]]:
    """The answers of a patient's questionnaire form ready to store, or None with the problems (nothing answered
    is a problem here: the form was sent to be stored)."""
    answers, problems = read_answers(post, measure)
    if answers is None:
        problems = [Problem(measure, "Please answer the questions before sending.")]
    return (None if problems else answers), problems


def problem_paths(measure: str, problems: Any) -> list[Problem]:
    """The scorer's problems (`answers[3]`) renamed to the form's fields (`odi_3`), named for the person."""
    name = INSTRUMENTS[measure].name
    out = []
    for p in problems:
        path = f"{measure}{p.path[len('answers'):]}" if p.path.startswith("answers") else p.path
        path = path.replace("[", "_").replace("]", "")
        out.append(Problem(path, f"{name}: {p.message}"))
    return out
