"""Scoring each instrument as the contract's "Scores" section fixes it, and refusing bad answers."""

from __future__ import annotations

import pytest

from sciatica_care.errors import InputRefused
from sciatica_care.outcomes import ScoreResult, render_text, score

KNOWN = "known: odi, rmdq, sbi, startback, nrs"


def problems_of(instrument: object, answers: object) -> list[tuple[str, str]]:
    with pytest.raises(InputRefused) as refused:
        score(instrument, answers)  # type: ignore[arg-type]
    return [(p.path, p.message) for p in refused.value.problems]


@pytest.mark.parametrize(
    ("answers", "expected", "band", "answered"),
    [
        pytest.param([0] * 10, 0.0, "minimal", 10, id="all-zero"),
        pytest.param([1] * 10, 20.0, "minimal", 10, id="edge-20"),
        pytest.param([1] * 9 + [2], 22.0, "moderate", 10, id="above-20"),
        pytest.param([2] * 10, 40.0, "moderate", 10, id="edge-40"),
        pytest.param([2] * 9 + [3], 42.0, "severe", 10, id="above-40"),
        pytest.param([3] * 10, 60.0, "severe", 10, id="edge-60"),
        pytest.param([3] * 9 + [4], 62.0, "crippled", 10, id="above-60"),
        pytest.param([4] * 10, 80.0, "crippled", 10, id="edge-80"),
        pytest.param([4] * 9 + [5], 82.0, "bed_bound", 10, id="above-80"),
        pytest.param([5] * 10, 100.0, "bed_bound", 10, id="all-five"),
        pytest.param([4, 4, 4, 4, 0, 0, 0, 0, 0, None], 35.6, "moderate", 9, id="contract-example"),
        pytest.param([1] * 8 + [None, None], 20.0, "minimal", 8, id="two-unanswered-edge-20"),
        pytest.param([None, 5, 5, 5, 5, 5, 5, 5, 5, None], 100.0, "bed_bound", 8, id="two-unanswered-top"),
        pytest.param([1, 0, 0, 0, 0, 0, 0, 0, 0, None], 2.2, "minimal", 9, id="nine-rounds-down"),
    ],
)
def test_odi(answers: list[int | None], expected: float, band: str, answered: int) -> None:
    """ODI is sum / (5 × answered) × 100 to one decimal, banded with inclusive upper edges."""
    assert score("odi", answers) == ScoreResult("odi", expected, band, answered)


def test_odi_score_is_a_float() -> None:
    """An ODI score is a float even when it is a whole number."""
    assert isinstance(score("odi", [2] * 10).score, float)


@pytest.mark.parametrize(
    ("answers", "expected", "answered"),
    [
        pytest.param([0] * 24, 0, 24, id="none-ticked"),
        pytest.param([1] * 24, 24, 24, id="all-ticked"),
        pytest.param([1] * 12 + [0] * 12, 12, 24, id="half"),
        pytest.param([1] * 12 + [None] * 12, 12, 12, id="unanswered-count-zero"),
        pytest.param([None] * 24, 0, 0, id="all-unanswered"),
    ],
)
def test_rmdq(answers: list[int | None], expected: int, answered: int) -> None:
    """RMDQ is the count of ticked items; unanswered items count 0; no band."""
    assert score("rmdq", answers) == ScoreResult("rmdq", expected, None, answered)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [([0, 0, 0, 0], 0), ([6, 6, 6, 6], 24), ([1, 2, 3, 4], 10)],
)
def test_sbi(answers: list[int], expected: int) -> None:
    """SBI is the sum of four 0-6 items; no band."""
    assert score("sbi", answers) == ScoreResult("sbi", expected, None, 4)


@pytest.mark.parametrize(
    ("answers", "total", "subscale", "band"),
    [
        pytest.param([0] * 9, 0, 0, "low", id="all-zero"),
        pytest.param([1, 1, 1, 0, 0, 0, 0, 0, 0], 3, 0, "low", id="total-exactly-3"),
        pytest.param([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 0, "medium", id="total-4"),
        pytest.param([0, 0, 0, 0, 1, 1, 1, 0, 0], 3, 3, "low", id="subscale-3-total-3"),
        pytest.param([1, 1, 1, 1, 1, 1, 1, 0, 0], 7, 3, "medium", id="subscale-3-total-7"),
        pytest.param([0, 0, 0, 0, 1, 1, 1, 1, 0], 4, 4, "high", id="subscale-exactly-4"),
        pytest.param([0] * 8 + [2], 0, 0, "low", id="item9-is-2-counts-0"),
        pytest.param([0] * 8 + [3], 1, 1, "low", id="item9-is-3-counts-1"),
        pytest.param([0] * 8 + [4], 1, 1, "low", id="item9-is-4-counts-1"),
        pytest.param([0, 0, 0, 0, 1, 1, 1, 0, 2], 3, 3, "low", id="item9-2-keeps-subscale-3"),
        pytest.param([0, 0, 0, 0, 1, 1, 1, 0, 3], 4, 4, "high", id="item9-3-lifts-subscale-to-4"),
        pytest.param([1] * 8 + [4], 9, 5, "high", id="all-top"),
    ],
)
def test_startback(answers: list[int], total: int, subscale: int, band: str) -> None:
    """STarT Back: total 0-9, subscale items 5-9, high on subscale ≥ 4, else low on total ≤ 3, else medium."""
    assert score("startback", answers) == ScoreResult("startback", total, band, 9, subscale)


@pytest.mark.parametrize("answer", [0, 7, 10])
def test_nrs(answer: int) -> None:
    """The NRS score is the single answer; no band."""
    assert score("nrs", [answer]) == ScoreResult("nrs", answer, None, 1)


@pytest.mark.parametrize(
    ("instrument", "answers"),
    [("rmdq", [1] * 24), ("sbi", [6] * 4), ("startback", [1] * 8 + [4]), ("nrs", [10])],
)
def test_summed_scores_are_integers(instrument: str, answers: list[int]) -> None:
    """Every score except ODI's is an int, not a float or a bool."""
    assert type(score(instrument, answers).score) is int


def test_json_matches_the_contract_example() -> None:
    """to_json gives the contract's example exactly, keys in the contract's order."""
    result = score("odi", [4, 4, 4, 4, 0, 0, 0, 0, 0, None]).to_json()
    assert list(result.items()) == [
        ("instrument", "odi"),
        ("score", 35.6),
        ("band", "moderate"),
        ("answered", 9),
    ]


def test_json_band_is_null_without_bands() -> None:
    """Instruments without bands give `band: null`."""
    assert score("nrs", [3]).to_json() == {"instrument": "nrs", "score": 3, "band": None, "answered": 1}


def test_json_subscale_only_for_startback() -> None:
    """STarT Back's JSON carries `subscale`."""
    result = score("startback", [0, 0, 0, 0, 1, 1, 1, 1, 0]).to_json()
    assert result == {"instrument": "startback", "score": 4, "band": "high", "answered": 9, "subscale": 4}


@pytest.mark.parametrize(("instrument", "answers"), [("odi", [0] * 10), ("rmdq", [0] * 24), ("nrs", [0])])
def test_json_has_no_subscale_elsewhere(instrument: str, answers: list[int]) -> None:
    """No other instrument's JSON has a `subscale` key."""
    assert "subscale" not in score(instrument, answers).to_json()


def test_tuple_answers_are_accepted() -> None:
    """A tuple of answers scores like a list."""
    assert score("nrs", (4,)) == score("nrs", [4])


@pytest.mark.parametrize(
    ("instrument", "answers", "problems"),
    [
        pytest.param("pain", [1], [("instrument", f'unknown instrument "pain"; {KNOWN}')], id="unknown"),
        pytest.param("ODI", [0] * 10, [("instrument", f'unknown instrument "ODI"; {KNOWN}')], id="case"),
        pytest.param(None, [1], [("instrument", f"unknown instrument null; {KNOWN}")], id="instrument-null"),
        pytest.param(
            "odi", {"answers": []}, [("answers", "must be a list of answers, got an object")], id="object"
        ),
        pytest.param("odi", "1,2", [("answers", 'must be a list of answers, got "1,2"')], id="string"),
        pytest.param("odi", None, [("answers", "must be a list of answers, got null")], id="null"),
        pytest.param(
            "vas",
            5,
            [
                ("instrument", f'unknown instrument "vas"; {KNOWN}'),
                ("answers", "must be a list of answers, got 5"),
            ],
            id="both-at-once",
        ),
        pytest.param("odi", [1] * 9, [("answers", "expected 10 answers, got 9")], id="too-few"),
        pytest.param("odi", [1] * 11, [("answers", "expected 10 answers, got 11")], id="too-many"),
        pytest.param("nrs", [], [("answers", "expected 1 answer, got 0")], id="empty"),
        pytest.param(
            "odi", [7] + [0] * 9, [("answers[0]", "must be an integer from 0 to 5, got 7")], id="odi-above"
        ),
        pytest.param(
            "odi", [0] * 9 + [-1], [("answers[9]", "must be an integer from 0 to 5, got -1")], id="odi-below"
        ),
        pytest.param(
            "odi", [True] + [0] * 9, [("answers[0]", "must be an integer from 0 to 5, got true")], id="bool"
        ),
        pytest.param(
            "odi", [0, 2.0] + [0] * 8, [("answers[1]", "must be an integer from 0 to 5, got 2.0")], id="float"
        ),
        pytest.param(
            "odi",
            [0, 0, "3"] + [0] * 7,
            [("answers[2]", 'must be an integer from 0 to 5, got "3"')],
            id="str",
        ),
        pytest.param(
            "nrs", [[5]], [("answers[0]", "must be an integer from 0 to 10, got a list")], id="nested"
        ),
        pytest.param("rmdq", [2] + [0] * 23, [("answers[0]", "must be 0 or 1, got 2")], id="rmdq-2"),
        pytest.param("startback", [2] + [0] * 8, [("answers[0]", "must be 0 or 1, got 2")], id="startback-2"),
        pytest.param(
            "startback",
            [0] * 8 + [5],
            [("answers[8]", "must be an integer from 0 to 4, got 5")],
            id="item9-5",
        ),
        pytest.param(
            "sbi", [0, 0, 0, 7], [("answers[3]", "must be an integer from 0 to 6, got 7")], id="sbi-7"
        ),
        pytest.param("nrs", [11], [("answers[0]", "must be an integer from 0 to 10, got 11")], id="nrs-11"),
        pytest.param("nrs", [None], [("answers[0]", "must be answered")], id="nrs-unanswered"),
        pytest.param(
            "sbi",
            [0, None, 0, None],
            [("answers[1]", "must be answered"), ("answers[3]", "must be answered")],
            id="sbi-unanswered",
        ),
        pytest.param(
            "startback",
            [None] + [0] * 7 + [None],
            [("answers[0]", "must be answered"), ("answers[8]", "must be answered")],
            id="startback-unanswered",
        ),
        pytest.param(
            "odi",
            [None, None, None] + [0] * 7,
            [("answers", "3 of 10 sections unanswered; at most 2 may be left blank")],
            id="odi-3-unanswered",
        ),
        pytest.param(
            "odi",
            [None] * 10,
            [("answers", "10 of 10 sections unanswered; at most 2 may be left blank")],
            id="odi-all-unanswered",
        ),
        pytest.param(
            "odi",
            [None, None, None, 9] + [0] * 6,
            [
                ("answers[3]", "must be an integer from 0 to 5, got 9"),
                ("answers", "3 of 10 sections unanswered; at most 2 may be left blank"),
            ],
            id="every-problem-at-once",
        ),
        pytest.param(
            "sbi",
            [7, None],
            [
                ("answers", "expected 4 answers, got 2"),
                ("answers[0]", "must be an integer from 0 to 6, got 7"),
                ("answers[1]", "must be answered"),
            ],
            id="count-and-values",
        ),
    ],
)
def test_refusals(instrument: object, answers: object, problems: list[tuple[str, str]]) -> None:
    """Bad input is refused with every problem, each at its JSON path."""
    assert problems_of(instrument, answers) == problems


def test_long_bad_string_is_shortened() -> None:
    """A long bad value is cut short in the message."""
    assert problems_of("nrs", ["x" * 100]) == [
        ("answers[0]", 'must be an integer from 0 to 10, got "' + "x" * 36 + "...")
    ]


def test_text_names_instrument_score_band_and_answered() -> None:
    """The text summary names the instrument, score with range, band and answered sections."""
    text = render_text(score("odi", [4, 4, 4, 4, 0, 0, 0, 0, 0, None]))
    assert all(
        part in text
        for part in (
            "Oswestry Disability Index 2.1a",
            "35.6 on a 0–100 scale",
            "moderate",
            "9 of 10 sections",
        )
    )


def test_text_without_band_has_no_band_line() -> None:
    """Instruments without bands print no band line."""
    assert "Band" not in render_text(score("nrs", [4]))


def test_text_startback_subscale() -> None:
    """The STarT Back text gives the subscale with its range."""
    assert "subscale: 4 on a 0–5 scale" in render_text(score("startback", [0, 0, 0, 0, 1, 1, 1, 1, 0]))


@pytest.mark.parametrize(
    ("answers", "present", "absent"),
    [
        pytest.param([0] * 9, ("advice, reassurance", "NICE NG59"), ("exercise",), id="low"),
        pytest.param(
            [1, 1, 1, 1, 0, 0, 0, 0, 0],
            ("exercise-based", "manual therapy", "NICE NG59"),
            ("psycholog",),
            id="medium",
        ),
        pytest.param(
            [0, 0, 0, 0, 1, 1, 1, 1, 0],
            ("exercise-based", "manual therapy", "psychologically informed"),
            (),
            id="high",
        ),
    ],
)
def test_text_startback_matched_care(
    answers: list[int], present: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    """The STarT Back text suggests the care NICE NG59 matches to the risk group."""
    text = render_text(score("startback", answers))
    assert all(p in text for p in present)
    assert not any(a in text for a in absent)
