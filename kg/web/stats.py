"""Exact binomial confidence intervals (Clopper-Pearson) from the beta quantile, without scipy.

The Clopper-Pearson interval for ``k`` successes in ``n`` trials at level ``1 - alpha`` is::

    lower = Beta quantile(alpha / 2;     k,     n - k + 1)   (0 when k = 0)
    upper = Beta quantile(1 - alpha / 2; k + 1, n - k)       (1 when k = n)

The regularised incomplete beta function is evaluated by its continued fraction (modified Lentz), and the
quantile found by bisection on it, which cannot diverge; both are accurate to about 1e-12.

>>> low, high = clopper_pearson(5, 10)
>>> round(low, 6), round(high, 6)
(0.187086, 0.812914)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

_EPS = 1e-15
_TINY = 1e-300


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (converges fast for x < (a+1)/(a+b+2))."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
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
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")  # pragma: no cover


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1.

    >>> round(betainc(2, 3, 0.4), 10)  # 1 - P(Binomial(4, 0.4) <= 1)
    0.5248
    """
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if not 0.0 <= x <= 1.0:
        raise ValueError("x must be in [0, 1]")
    if x in (0.0, 1.0):
        return x
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def beta_ppf(q: float, a: float, b: float) -> float:
    """The ``q`` quantile of the Beta(a, b) distribution (the x with I_x(a, b) = q)."""
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be in [0, 1]")
    if q in (0.0, 1.0):
        return q
    lo, hi = 0.0, 1.0
    for _ in range(200):  # I_x is increasing in x: bisection always converges
        mid = (lo + hi) / 2.0
        if betainc(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return (lo + hi) / 2.0


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) confidence interval of a proportion ``k / n`` as fractions."""
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n >= 1 (got k={k}, n={n})")
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1")
    alpha = 1.0 - level
    lower = 0.0 if k == 0 else beta_ppf(alpha / 2.0, k, n - k + 1)
    upper = 1.0 if k == n else beta_ppf(1.0 - alpha / 2.0, k + 1, n - k)
    return lower, upper


#: Measures given as a percentage of the patients of a study: the ones a forest chart can show.
RATE_MEASURES = ("ORR", "DCR", "pCR_rate", "pPR_rate")


def _decimals(value: float, display: str) -> int:
    text = display.split("%")[0].split()[0] if display else f"{value:g}"
    return len(text.split(".")[1]) if "." in text else 0


def response_rates(trials: Sequence[Mapping[str, Any]], level: float = 0.95) -> list[dict[str, Any]]:
    """Rows of a forest chart: each rate outcome of the trials of an explain report, with the count of
    patients it implies and its exact interval.

    The count is ``round(rate x n_patients)``. When no whole number of the study's patients gives the
    reported rate (at the precision it is reported), its denominator was a subgroup (the evaluable
    patients, say) we do not hold: the row keeps the count that comes closest and says ``exact: false``.
    """
    rows: list[dict[str, Any]] = []
    for trial in trials:
        n = trial.get("n_patients")
        for o in trial.get("outcomes") or []:
            if o.get("measure") not in RATE_MEASURES or o.get("value") is None or o.get("unit") != "percent":
                continue
            value = float(o["value"])
            row: dict[str, Any] = {"trial": trial.get("id"), "trial_label": trial.get("label"),
                                   "measure": o["measure"], "label": o.get("label"), "arm": o.get("arm"),
                                   "rate": value, "display": o.get("display"), "n": n, "k": None,
                                   "low": None, "high": None, "exact": False}
            if isinstance(n, int) and n > 0 and 0.0 <= value <= 100.0:
                k = min(n, max(0, round(value / 100.0 * n)))
                low, high = clopper_pearson(k, n, level)
                places = _decimals(value, str(o.get("display") or ""))
                row.update(k=k, low=round(100 * low, 1), high=round(100 * high, 1),
                           exact=round(100.0 * k / n, places) == round(value, places))
            rows.append(row)
    return rows
