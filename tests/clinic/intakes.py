"""Intakes for the clinic's and browser tests, built on the worked cases in `examples/` so that every clinic test
runs the real engine on a real case (no stand-in engine: a clinic test can see the plan drift).

`base_intake()` is `examples/s1-disc-acute.yaml` (acute left S1 disc after lifting) without its anticoagulant and
without its modality preferences, so that every modality (acupuncture, electroacupuncture, massage, cupping,
acupressure) is open: the everyday treatable case. Keywords change one
field each and keep the rest of the case (`side="right"`, `pregnant=True`, `red_flags=["saddle_anaesthesia"]`,
`medical=["pacemaker"]`, `age=70` …); any other keyword replaces that whole top-level section
(`examination={...}`), as the contract's intake has it. `example(name)` is one case as written.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE_EXAMPLE = "s1-disc-acute"
_UNSET: Any = object()


@functools.cache
def _read(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


def example(name: str) -> dict[str, Any]:
    """The worked case `examples/<name>.yaml` as written (a fresh copy each call)."""
    return copy.deepcopy(_read(name))


def base_intake(*, side: str = _UNSET, pregnant: bool | int = _UNSET, age: int = _UNSET, sex: str = _UNSET,
                red_flags: list[str] = _UNSET, medical: list[str] = _UNSET,
                medical_sites: dict[str, Any] = _UNSET, duration_weeks: float = _UNSET, leg_nrs: int = _UNSET,
                back_nrs: int = _UNSET, areas: list[str] = _UNSET, example_name: str = BASE_EXAMPLE,
                **sections: Any) -> dict[str, Any]:
    """A treatable intake from `examples/<example_name>.yaml` with the given changes (set as given, even wrong
    ones: a test of refusals may pass a string).

    `pregnant=True` makes the patient a pregnant woman (sex female, weeks unrecorded); `pregnant=20` gives the
    weeks too; `pregnant=False` removes any pregnancy. For the base case `medical` defaults to [] and there are no
    `preferences` (pass them to narrow the modalities); another example stays as written unless changed.
    """
    intake = example(example_name)
    if example_name == BASE_EXAMPLE:
        intake["medical"] = []
        del intake["preferences"]
    intake.update(copy.deepcopy(sections))
    patient, episode, pain = intake["patient"], intake["episode"], intake["pain"]
    if age is not _UNSET:
        patient["age"] = age
    if sex is not _UNSET:
        patient["sex"] = sex
    if pregnant is not _UNSET:
        patient.pop("pregnancy_weeks", None)
        patient["pregnant"] = bool(pregnant)
        if pregnant:
            patient["sex"] = "female"
            if not isinstance(pregnant, bool):
                patient["pregnancy_weeks"] = pregnant
    if side is not _UNSET:
        episode["side"] = side
    if duration_weeks is not _UNSET:
        episode["duration_weeks"] = duration_weeks
    if leg_nrs is not _UNSET:
        pain["leg_nrs"] = leg_nrs
    if back_nrs is not _UNSET:
        pain["back_nrs"] = back_nrs
    if areas is not _UNSET:
        pain["areas"] = copy.deepcopy(areas)
    if red_flags is not _UNSET:
        intake["red_flags"] = copy.deepcopy(red_flags)
    if medical is not _UNSET:
        intake["medical"] = copy.deepcopy(medical)
    if medical_sites is not _UNSET:
        intake["medical_sites"] = copy.deepcopy(medical_sites)
    return intake
