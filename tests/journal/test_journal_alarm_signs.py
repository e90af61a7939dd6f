"""The diary's emergency questions and the red flags each reports (pure)."""

from __future__ import annotations

import pytest

from sciatica_care.journal.alarm_signs import ALARM_IDS, flags_reported, unknown_signs


@pytest.mark.parametrize(("ticked", "flags"), [
    ([], ()),
    (["bladder_bowel"], ("bladder_dysfunction", "bowel_dysfunction")),
    (["saddle_numbness"], ("saddle_anaesthesia",)),
    (["both_legs"], ("bilateral_sudden",)),
    (["both_legs", "bladder_bowel"], ("bladder_dysfunction", "bowel_dysfunction", "bilateral_sudden")),
    (["both_legs", "both_legs"], ("bilateral_sudden",)),
    (["headache"], ()),
])
def test_flags_reported(ticked: list[str], flags: tuple[str, ...]) -> None:
    """Each ticked question's flags, in the questions' order, each once; an unknown id reports nothing."""
    assert flags_reported(ticked) == flags


def test_unknown_signs_are_named() -> None:
    assert unknown_signs(["both_legs", "x", "y"]) == ["x", "y"]


def test_the_questions_have_unique_ids() -> None:
    assert len(set(ALARM_IDS)) == len(ALARM_IDS) == 3
