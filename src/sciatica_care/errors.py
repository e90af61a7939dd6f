"""The one error type for bad input, shared by the engine, the scorer and every edge that reads input.

A refusal names every problem at once, each with the JSON path of the offending value, so that the CLI can print
`error: <path>: <message>` lines and the web and API layers can point at the field.
"""

from __future__ import annotations

from msgspec import Struct


class Problem(Struct, frozen=True):
    """One thing wrong with the input: where (a JSON path such as `pain.leg_nrs`) and what."""

    path: str
    message: str

    def line(self) -> str:
        return f"error: {self.path}: {self.message}"


class InputRefused(ValueError):
    """The input cannot be used; `problems` lists every reason, each with its path."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("InputRefused needs at least one problem")
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))

    def as_json(self) -> dict[str, list[dict[str, str]]]:
        return {"errors": [{"path": p.path, "message": p.message} for p in self.problems]}


def join_path(base: str, key: str | int) -> str:
    """`join_path("pain", "areas")` → `pain.areas`; `join_path("pain.areas", 2)` → `pain.areas[2]`."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key
