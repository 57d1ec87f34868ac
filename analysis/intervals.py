"""Confidence intervals of a sample's mean: Student t and percentile bootstrap."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

# Confidence intervals of a mean paired difference: Student t, or percentile bootstrap.
CI_METHODS = ("t", "bootstrap")
# Bootstrap resamples are drawn in blocks of at most this many indices (memory bound).
_BOOT_BLOCK = 1 << 22


def check_level(level: float) -> None:
    """Refuse a confidence level outside (0, 1).

    Raises:
        ValueError: ``level`` is not strictly between 0 and 1.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")


def check_n_boot(n_boot: int) -> None:
    """Refuse fewer than 100 bootstrap resamples.

    Raises:
        ValueError: ``n_boot`` is below 100.
    """
    if n_boot < 100:
        raise ValueError(f"n_boot must be at least 100, got {n_boot}")


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student t confidence interval of the mean.

    Args:
        values: The sample, one-dimensional (units of the measured quantity).
        level: Confidence level (0 < level < 1).

    Returns:
        ``(low, high)`` in the units of ``values``: the mean plus or minus the
        ``(1 + level) / 2`` quantile of t with n - 1 degrees of freedom times the
        standard error; ``(nan, nan)`` for fewer than two values.
    """
    d = np.asarray(values, dtype=float)
    n = d.size
    if n < 2:
        return (math.nan, math.nan)
    mean = float(d.mean())
    half = float(stats.t.ppf((1 + level) / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
    return (mean - half, mean + half)


def bootstrap_ci(
    values: np.ndarray, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean.

    Resamples ``values`` with replacement ``n_boot`` times (an ``(n_boot, n)`` matrix
    of indices from ``np.random.default_rng(seed)``) and takes the ``(1 - level) / 2``
    and ``(1 + level) / 2`` quantiles of the resampled means. The percentile interval
    under-covers a little for small samples (its spread is the plug-in standard error
    with divisor n, and it uses normal rather than t tails).

    Args:
        values: The sample, one-dimensional (units of the measured quantity); a NaN in
            it makes the interval NaN.
        level: Confidence level (0 < level < 1).
        n_boot: Number of bootstrap resamples (at least 100).
        seed: Seed of the resampling; the same seed gives the same interval.

    Returns:
        ``(low, high)`` in the units of ``values``; ``(nan, nan)`` for fewer than two values.

    Raises:
        ValueError: A level outside (0, 1), fewer than 100 resamples, or values that
            are not one-dimensional.
    """
    check_level(level)
    check_n_boot(n_boot)
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {x.shape}")
    n = x.size
    if n < 2:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    block = max(1, _BOOT_BLOCK // n)
    means = np.empty(n_boot)
    for start in range(0, n_boot, block):
        stop = min(start + block, n_boot)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = x[idx].mean(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return (float(low), float(high))
