"""Seeded random intakes that honour the contract, for benchmarks (reproducible: same seed, same intakes)."""

from __future__ import annotations

import random
from typing import Any

from sciatica_care.contract import intake_schema


def _enum(schema: dict[str, Any], *path: str) -> list[str]:
    node = schema
    for part in path:
        node = node["properties"][part] if part != "items" else node["items"]
    return list(node.get("enum") or node["items"]["enum"])


def generate(count: int, seed: int = 20261121) -> list[dict[str, Any]]:
    s = intake_schema()
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not a secret
    areas = _enum(s, "pain", "areas")
    qualities = _enum(s, "pain", "qualities")
    triggers = _enum(s, "pain", "worse_with")
    weakness = _enum(s, "examination", "weakness")
    imaging = _enum(s, "examination", "imaging")
    flags = _enum(s, "red_flags")
    medical = _enum(s, "medical")
    signs, tongue, pulse = _enum(s, "tcm", "signs"), _enum(s, "tcm", "tongue"), _enum(s, "tcm", "pulse")
    modalities = _enum(s, "preferences", "modalities")

    def some(options: list[str], most: int) -> list[str]:
        return rng.sample(options, rng.randint(0, most))

    intakes = []
    for _ in range(count):
        sex = rng.choice(["female", "male", "other"])
        pregnant = sex == "female" and rng.random() < 0.1
        intake: dict[str, Any] = {
            "schema_version": "1",
            "patient": {"age": rng.randint(16, 95), "sex": sex, "pregnant": pregnant,
                        "pregnancy_weeks": rng.randint(1, 42) if pregnant else None},
            "episode": {"side": rng.choice(["left", "right", "both"]), "duration_weeks": round(rng.uniform(0, 200), 1),
                        "onset": rng.choice(["sudden", "gradual"]), "after_lifting": rng.random() < 0.3},
            "pain": {"leg_nrs": rng.randint(0, 10), "back_nrs": rng.randint(0, 10),
                     "areas": rng.sample(areas, rng.randint(1, 6)), "qualities": some(qualities, 3),
                     "worse_with": some(triggers, 3), "better_with": some(triggers, 2)},
            "examination": {"straight_leg_raise": rng.choice(["positive", "negative"]),
                            "weakness": some(weakness, 2), "imaging": some(imaging, 1),
                            "reflexes": {"knee": rng.choice(["normal", "reduced"]),
                                         "ankle": rng.choice(["normal", "reduced", "absent"])},
                            "piriformis_tenderness": rng.random() < 0.3, "trigger_points": rng.random() < 0.3},
            "red_flags": rng.sample(flags, 1) if rng.random() < 0.1 else [],
            "medical": some(medical, 2),
            "tcm": {"signs": some(signs, 3), "tongue": some(tongue, 2), "pulse": some(pulse, 2)},
            "preferences": {"modalities": rng.sample(modalities, rng.randint(1, len(modalities))),
                            "max_sessions_per_week": rng.randint(1, 3)},
        }
        intakes.append(intake)
    return intakes
