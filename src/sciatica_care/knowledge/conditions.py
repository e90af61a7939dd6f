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
        tests.append(_every([compile_condition(c) for c in cond.all]))
    if cond.any is not None:
        tests.append(_some([compile_condition(c) for c in cond.any]))
    if cond.none_of is not None:
        barred = _some([compile_condition(c) for c in cond.none_of])
        tests.append(lambda f: not barred(f))
    return _every(tests)


def _every(tests: list[Predicate]) -> Predicate:
    """All of the tests hold (none given: always); a plain loop, since these run hundreds of times a plan."""
    if not tests:
        return always
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda f: first(f) and second(f)
    parts = tuple(tests)

    def every(f: Facts) -> bool:
        for test in parts:  # noqa: SIM110 - a plain loop: all() over a generator is slower here
            if not test(f):
                return False
        return True

    return every


def _some(tests: list[Predicate]) -> Predicate:
    """At least one of the tests holds (none given: never)."""
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda f: first(f) or second(f)
    parts = tuple(tests)

    def some(f: Facts) -> bool:
        for test in parts:  # noqa: SIM110 - a plain loop: all() over a generator is slower here
            if test(f):
                return True
        return False

    return some


def _leaf_tests(cond: Condition) -> list[Predicate]:
    fact = cond.fact
    assert fact is not None  # noqa: S101 - only called for leaves
    tests: list[Predicate] = []
    if cond.recorded is not None:
        wanted = cond.recorded
        tests.append(lambda f: (fact in f) is wanted)
    if cond.equals is not None:
        target = cond.equals
        if isinstance(target, bool):
            # True == 1 in Python; a boolean fact must only equal a boolean (and the two booleans are singletons).
            tests.append(lambda f: f.get(fact) is target)
        else:
            tests.append(lambda f: f.get(fact, _ABSENT) == target)
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


_ABSENT = object()  # equal to nothing but itself


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
