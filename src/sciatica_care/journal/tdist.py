"""Student's t distribution without SciPy: the two-sided p value and the 97.5 % quantile, for any positive
(fractional, as Welch's are) degrees of freedom. Pure and deterministic.

The tail comes from the regularized incomplete beta function, I_x(a, b), by Lentz's continued fraction
(Numerical Recipes §6.4); the quantile by Newton's method on that tail, kept inside a bracket.
"""

from __future__ import annotations

import math

_EPS = 1e-14
_TINY = 1e-300


def _beta_fraction(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def two_sided_p(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for T ~ t(df)."""
    if math.isinf(t):
        return 0.0
    return min(1.0, regularized_beta(df / 2.0, 0.5, df / (df + t * t)))


def _density(t: float, df: float) -> float:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


def quantile_975(df: float) -> float:
    """The t value with 2.5 % above it: the multiplier of a 95 % two-sided interval (df ≥ 1, where it is at most
    12.71, so the search starts inside the bracket 1.96 … 13)."""
    z = 1.959963984540054
    # Cornish–Fisher start, then Newton on the upper tail, kept in a shrinking bracket.
    t = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df * df)
    df = max(df, 1.0)
    low, high = z, 13.0
    t = min(max(t, low), high)
    for _ in range(60):
        tail = two_sided_p(t, df) / 2 - 0.025
        if abs(tail) < 1e-11:
            break
        if tail > 0:
            low = t
        else:
            high = t
        step = tail / _density(t, df)
        candidate = t + step
        t = candidate if low < candidate < high else (low + high) / 2
    return t
