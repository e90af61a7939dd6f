"""The rule language: compile a `Condition` into a fast predicate over a case's facts.

Facts are a flat mapping from a path (`pain.areas`, `assessment.phase`) to a value: a string, number or boolean,
or a frozenset for list facts. An absent key means "not recorded": every test but `recorded: false` fails on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .model import Condition

Facts = Mapping[str, object]
Predicate = Callable[[Facts], bool]


def always(_facts: Facts) -> bool:
    return True


def compile_condition(cond: Condition) -> Predicate:
    """Turn a condition into a predicate; every test given on one leaf must hold."""
    tests: list[Predicate] = []
    if cond.fact is not None:
        tests.extend(_leaf_tests(cond))
    if cond.all is not None:
        parts = [compile_condition(c) for c in cond.all]
        tests.append(lambda f: all(p(f) for p in parts))
    if cond.any is not None:
        options = [compile_condition(c) for c in cond.any]
        tests.append(lambda f: any(p(f) for p in options))
    if cond.none_of is not None:
        barred = [compile_condition(c) for c in cond.none_of]
        tests.append(lambda f: not any(p(f) for p in barred))
    if not tests:
        return always
    if len(tests) == 1:
        return tests[0]
    return lambda f: all(t(f) for t in tests)


def _leaf_tests(cond: Condition) -> list[Predicate]:
    fact = cond.fact
    assert fact is not None  # noqa: S101 - only called for leaves
    tests: list[Predicate] = []
    if cond.recorded is not None:
        wanted = cond.recorded
        tests.append(lambda f: (fact in f) is wanted)
    if cond.equals is not None:
        target = cond.equals
        tests.append(lambda f: fact in f and _same(f[fact], target))
    if cond.any_of is not None:
        options = frozenset(cond.any_of)

        def shares(f: Facts, fact: str = fact, options: frozenset[object] = options) -> bool:
            # Defined inline (no helper call): this test runs over a hundred times a plan.
            value = f.get(fact)
            if value is None:
                return False
            if isinstance(value, frozenset):
                return not value.isdisjoint(options)
            return value in options

        tests.append(shares)
    if cond.all_of is not None:
        needed = frozenset(cond.all_of)
        tests.append(lambda f: isinstance(v := f.get(fact), frozenset) and needed <= v)
    for bound, compare in (
        (cond.at_least, _ge), (cond.above, _gt), (cond.at_most, _le), (cond.below, _lt),
    ):
        if bound is not None:
            tests.append(_numeric(fact, bound, compare))
    return tests


def _same(value: object, target: object) -> bool:
    # True == 1 in Python; a boolean fact must only equal a boolean.
    return type(value) is type(target) and value == target if isinstance(target, bool) else value == target


def _ge(a: float, b: float) -> bool:
    return a >= b


def _gt(a: float, b: float) -> bool:
    return a > b


def _le(a: float, b: float) -> bool:
    return a <= b


def _lt(a: float, b: float) -> bool:
    return a < b


def _numeric(fact: str, bound: float, compare: Callable[[float, float], bool]) -> Predicate:
    def test(f: Facts) -> bool:
        value = f.get(fact)
        return isinstance(value, int | float) and not isinstance(value, bool) and compare(value, bound)

    return test
