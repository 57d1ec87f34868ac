"""Calibration arithmetic on files: observed-data checks, likelihood, intervals, fit plot."""

# gridgov calibrate (sim.sweeps.fitting) searches and launches; this module does what needs only
# the files: it reads the observed series, scores a trial's runs against it (the mean over
# seeds of each metric on each observed day), derives approximate intervals from a table
# of trials and draws the fit. It never imports sim.

from __future__ import annotations

import csv
import datetime as dt
import difflib
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.special import gammaln

from analysis.load import Metric

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

LIKELIHOODS = ("negbin", "poisson")
# assumption: k = 5 lets a day's count vary with sd ~ 0.45 x its mean at large counts,
# a common order for reported COVID-19 series (over-dispersed against Poisson)
DEFAULT_DISPERSION = 5.0
# the model's mean is floored here (persons per day) so that an observed count on a day
# the model's seeds all gave 0 costs a large but finite log-likelihood
MEAN_FLOOR = 0.01
# drop in log-likelihood that bounds an approximate 95% profile interval: chi2(1, 0.95) / 2
PROFILE_DROP = 1.92
DATE = "date"


class ObservedDataError(ValueError):
    """An observed-data file that cannot be fitted; the message names the file and the fault."""


# Makes the error of a fault in the observed-data file being read (its message names the file).
_Fail = Callable[[str], ObservedDataError]


# ---- likelihood ----------------------------------------------------------------------


def loglik_poisson(observed: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson log-probability of each observed count given the model's mean.

    ``log p(y | mu) = y log(mu) - mu - lgamma(y + 1)``, with ``mu`` floored at
    ``MEAN_FLOOR``. ``y`` may be non-integer (``lgamma`` continues the factorial).

    Args:
        observed: Observed counts ``y`` (>= 0; persons per day, or persons for stocks).
        mean: The model's mean ``mu`` for the same days, same unit.

    Returns:
        The log-probabilities, elementwise (natural log).
    """
    y = np.asarray(observed, dtype=float)
    mu = np.maximum(np.asarray(mean, dtype=float), MEAN_FLOOR)
    return np.asarray(y * np.log(mu) - mu - gammaln(y + 1.0))


def loglik_negbin(observed: np.ndarray, mean: np.ndarray, dispersion: float) -> np.ndarray:
    """Negative binomial log-probability of each observed count given the model's mean.

    The negative binomial of mean ``mu`` and dispersion ``k`` (variance
    ``mu + mu^2 / k``; Poisson as ``k -> inf``)::

        log p(y | mu, k) = lgamma(y + k) - lgamma(k) - lgamma(y + 1)
                           + k log(k / (k + mu)) + y log(mu / (k + mu))

    which is ``scipy.stats.nbinom.logpmf(y, n=k, p=k / (k + mu))`` for whole ``y``;
    ``mu`` is floored at ``MEAN_FLOOR`` and ``y`` may be non-integer.

    Args:
        observed: Observed counts ``y`` (>= 0).
        mean: The model's mean ``mu`` for the same days.
        dispersion: ``k`` (> 0, no unit): smaller is more over-dispersed.

    Returns:
        The log-probabilities, elementwise (natural log).

    Raises:
        ValueError: ``k`` not positive and finite.
    """
    k = float(dispersion)
    if not (math.isfinite(k) and k > 0):
        raise ValueError(f"dispersion must be a positive number, got {dispersion}")
    y = np.asarray(observed, dtype=float)
    mu = np.maximum(np.asarray(mean, dtype=float), MEAN_FLOOR)
    return np.asarray(
        gammaln(y + k)
        - gammaln(k)
        - gammaln(y + 1.0)
        + k * (np.log(k) - np.log(k + mu))
        + y * (np.log(mu) - np.log(k + mu))
    )


def loglik(
    observed: np.ndarray,
    mean: np.ndarray,
    likelihood: str = "negbin",
    dispersion: float = DEFAULT_DISPERSION,
) -> np.ndarray:
    """Log-probability of each observed count under ``likelihood`` (``negbin`` or ``poisson``).

    Raises:
        ValueError: An unknown likelihood (the allowed ones are listed).
    """
    if likelihood == "poisson":
        return loglik_poisson(observed, mean)
    if likelihood == "negbin":
        return loglik_negbin(observed, mean, dispersion)
    raise ValueError(f"unknown likelihood {likelihood!r}; allowed: {list(LIKELIHOODS)}")


# ---- observed data -------------------------------------------------------------------


def _suggest(name: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _span_text(days: Sequence[dt.date]) -> str:
    days = sorted(days)
    if len(days) == 1:
        return days[0].isoformat()
    return f"{days[0].isoformat()} to {days[-1].isoformat()} ({len(days)} days)"


def _read_table(path: Path, fail: _Fail) -> pd.DataFrame:
    """The CSV as text cells, its column names stripped; no file, a bad CSV or repeats fail."""
    if not path.is_file():
        raise fail("no such file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise fail(f"not a readable CSV file ({' '.join(str(exc).split())})") from None
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        header = next(csv.reader(handle), [])
    columns = [c.strip() for c in header]
    if len(set(columns)) < len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise fail(f"column(s) {twice} appear more than once")
    raw.columns = columns
    return raw


def _metric_columns(columns: Sequence[str], metrics: Sequence[str], fail: _Fail) -> list[str]:
    """The observed metrics' columns; a missing date column or an unknown metric fails."""
    columns = list(columns)
    if DATE not in columns:
        close = difflib.get_close_matches(DATE, columns, n=1, cutoff=0.6)
        hint = f" (column {close[0]!r}: did you mean {DATE!r}?)" if close else ""
        raise fail(f"no {DATE!r} column{hint}; the columns are {columns}")
    names = [c for c in columns if c != DATE]
    if not names:
        raise fail(f"no metric column beside {DATE!r}: add one such as 'new_confirmed'")
    valid = sorted(metrics)
    for name in names:
        if name not in metrics:
            raise fail(
                f"column {name!r} is not a timeseries metric of the model{_suggest(name, valid)}; "
                f"valid metrics: {valid}"
            )
    return names


def _dates(texts: Sequence[str], fail: _Fail) -> list[dt.date]:
    """The rows' dates, in the file's order; one that is not ISO or appears twice fails."""
    days: list[dt.date] = []
    for row, text in enumerate(texts, start=2):  # row 1 is the header
        try:
            days.append(dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise fail(f"line {row}: date {text!r} is not an ISO date (YYYY-MM-DD)") from None
    seen: dict[dt.date, int] = {}
    for row, day in enumerate(days, start=2):
        if day in seen:
            raise fail(f"date {day.isoformat()} appears twice (lines {seen[day]} and {row})")
        seen[day] = row
    return days


def _check_span(days: Sequence[dt.date], start: dt.date, end: dt.date, fail: _Fail) -> None:
    """Fail unless the days are consecutive and within ``start`` to ``end``."""
    ordered = sorted(days)
    first, last = ordered[0], ordered[-1]
    expected = (last - first).days + 1
    if expected != len(ordered):
        present = set(ordered)
        missing = [
            first + dt.timedelta(days=i)
            for i in range(expected)
            if first + dt.timedelta(days=i) not in present
        ]
        raise fail(
            f"dates must be consecutive days: {len(missing)} missing between "
            f"{first.isoformat()} and {last.isoformat()}, first {missing[0].isoformat()}"
        )
    outside = [d for d in ordered if d < start or d > end]
    if outside:
        raise fail(
            f"dates {_span_text(outside)} are outside the runs' period "
            f"{start.isoformat()} to {end.isoformat()}"
        )


def _counts(name: str, texts: Sequence[str], days: Sequence[dt.date], fail: _Fail) -> np.ndarray:
    """A metric's cells as numbers; text, an empty cell, NaN, infinity or a negative fails."""
    col = np.empty(len(texts), dtype=float)
    for i, (text, day) in enumerate(zip(texts, days, strict=True)):
        cell = text.strip()
        try:
            col[i] = float(cell) if cell else math.nan
        except ValueError:
            raise fail(f"{name} on {day.isoformat()}: {text!r} is not a number") from None
        if math.isnan(col[i]):
            raise fail(f"{name} on {day.isoformat()} is empty or NaN: give 0 for a day with none")
        if not math.isfinite(col[i]) or col[i] < 0:
            raise fail(
                f"{name} on {day.isoformat()} is {text.strip()}: counts must be finite and >= 0"
            )
    return col


def read_observed(
    path: str | Path,
    metrics: Sequence[str],
    start: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """Read and check an observed daily series: a ``date`` column and metric columns.

    The file is a CSV with a ``date`` column (ISO dates, one row per day, no day
    missing between the first and the last) and one or more columns named as
    timeseries metrics of a run (``new_confirmed``, ``new_deaths``, ...), holding
    non-negative numbers (counts; non-integer values are allowed).

    Args:
        path: The CSV file.
        metrics: The metrics a run of the model records (its timeseries columns).
        start: First day of the runs' period (the scenario's start date).
        end: Last day of the runs' period.

    Returns:
        One row per day (index ``date``, ``datetime64``, sorted), one float column per
        observed metric (counts, as in the file), in the file's order.

    Raises:
        ObservedDataError: A message naming the file and the fault: no file, no
            ``date`` column, no metric column, a metric the model lacks (with the valid
            ones and the nearest), unparsable, duplicated or missing dates, dates
            outside the period, values that are not numbers, NaN or negative.
    """
    path = Path(path)
    where = str(path)

    def fail(message: str) -> ObservedDataError:
        return ObservedDataError(f"observed data {where}: {message}")

    raw = _read_table(path, fail)
    names = _metric_columns(list(raw.columns), metrics, fail)
    if raw.empty:
        raise fail("no rows")
    days = _dates(list(raw[DATE]), fail)
    _check_span(days, start, end, fail)
    values = {name: _counts(name, list(raw[name]), days, fail) for name in names}
    frame = pd.DataFrame(values, index=pd.DatetimeIndex(pd.to_datetime(days), name=DATE))
    return frame.sort_index()


# ---- scoring runs --------------------------------------------------------------------


def read_timeseries(run_dir: str | Path, metrics: Sequence[str]) -> pd.DataFrame:
    """A run's ``date`` and ``metrics`` columns from its ``timeseries.parquet``.

    Raises:
        ObservedDataError: The run lacks a metric (the metrics it has are named).
        FileNotFoundError: The run has no ``timeseries.parquet``.
    """
    path = Path(run_dir) / "timeseries.parquet"
    import pyarrow.parquet as pq

    have = pq.read_schema(path).names
    lacking = [m for m in metrics if m not in have]
    if lacking:
        raise ObservedDataError(f"{path}: no column(s) {lacking}")
    frame = pd.read_parquet(path, columns=[DATE, *metrics])
    frame[DATE] = pd.to_datetime(frame[DATE])
    return frame


def seed_mean(runs: Sequence[pd.DataFrame], observed: pd.DataFrame) -> pd.DataFrame:
    """The mean over runs (seeds) of each observed metric on each observed day.

    Args:
        runs: Each run's timeseries (``date`` and the metrics), as ``read_timeseries``.
        observed: The observed series (``read_observed``).

    Returns:
        Indexed like ``observed``, one column per metric: the mean over the runs.

    Raises:
        ValueError: No runs, or a run that does not cover an observed day.
    """
    if not runs:
        raise ValueError("no runs to average")
    stacks = []
    for frame in runs:
        aligned = frame.set_index(DATE).reindex(observed.index)[list(observed.columns)]
        if aligned.isna().to_numpy().any():
            raise ValueError(
                f"a run covers {frame[DATE].min().date()} to {frame[DATE].max().date()}, not "
                "every observed day"
            )
        stacks.append(aligned.to_numpy(dtype=float))
    mean = np.mean(np.stack(stacks), axis=0)
    return pd.DataFrame(mean, index=observed.index, columns=observed.columns)


def score(
    observed: pd.DataFrame,
    runs: Sequence[pd.DataFrame],
    likelihood: str = "negbin",
    dispersion: float = DEFAULT_DISPERSION,
) -> dict[str, float]:
    """Log-likelihood of the observed series given one trial's runs, per metric.

    ``sum over observed days d of log p(y_d | mu_d)``, where ``mu_d`` is the mean
    over the trial's runs (seeds) of the metric on day ``d`` and ``p`` is ``loglik``'s
    distribution; the total over metrics is the trial's objective.

    Args:
        observed: The observed series (``read_observed``).
        runs: The trial's runs (one per seed), as ``read_timeseries``.
        likelihood: ``negbin`` or ``poisson``.
        dispersion: Negative binomial ``k``.

    Returns:
        Metric to its log-likelihood (natural log), in the observed columns' order.
    """
    mean = seed_mean(runs, observed)
    return {
        str(m): float(
            loglik(observed[m].to_numpy(), mean[m].to_numpy(), likelihood, dispersion).sum()
        )
        for m in observed.columns
    }


# ---- intervals -----------------------------------------------------------------------


def profile_intervals(
    trials: pd.DataFrame,
    params: Sequence[str],
    bounds: Mapping[str, tuple[float, float]] | None = None,
    drop: float = PROFILE_DROP,
    objective: str = "loglik",
) -> pd.DataFrame:
    """Approximate 95% intervals of the parameters from the trials (profile likelihood).

    For each parameter: the range of its values over the complete trials whose total
    log-likelihood is within ``drop`` (1.92 = chi2(1, 0.95) / 2) of the best. This
    approximates a profile-likelihood interval only as well as the trials cover the
    space near the best: with few trials there it is too narrow (one trial alone
    gives a point), and it is cut at the search bounds.

    Args:
        trials: One row per trial, with ``state``, ``objective`` and the parameters.
        params: The parameter columns.
        bounds: The search bounds, to flag an interval that reaches one.
        drop: The log-likelihood drop that bounds the interval.
        objective: The log-likelihood column.

    Returns:
        One row per parameter: ``param``, ``best`` (the best trial's value), ``low``,
        ``high``, ``trials_within`` (complete trials within the drop) and
        ``at_bound`` (``low``, ``high``, ``both`` or empty).

    Raises:
        ValueError: No complete trial.
    """
    done = trials[(trials["state"] == "COMPLETE") & trials[objective].notna()]
    if done.empty:
        raise ValueError("no complete trial: no interval")
    best_row = done.iloc[int(np.argmax(done[objective].to_numpy(dtype=float)))]
    within = done[done[objective] >= float(best_row[objective]) - drop]
    rows = []
    for p in params:
        low, high = float(within[p].min()), float(within[p].max())
        flag = ""
        if bounds is not None and p in bounds:
            lo_b, hi_b = bounds[p]
            tol = 1e-9 * max(1.0, abs(hi_b - lo_b))
            at_low, at_high = low <= lo_b + tol, high >= hi_b - tol
            flag = "both" if at_low and at_high else "low" if at_low else "high" if at_high else ""
        rows.append(
            {
                "param": p,
                "best": float(best_row[p]),
                "low": low,
                "high": high,
                "trials_within": len(within),
                "at_bound": flag,
            }
        )
    return pd.DataFrame(rows, columns=["param", "best", "low", "high", "trials_within", "at_bound"])


# ---- plot and report -----------------------------------------------------------------


def fit_figure(
    observed: pd.DataFrame,
    runs: Sequence[pd.DataFrame],
    title: str,
    band: tuple[float, float] = (0.1, 0.9),
    catalog: Mapping[str, Metric] | None = None,
) -> Figure:
    """Observed points against the model's median and band over seeds, one panel per metric.

    Args:
        observed: The observed series (``read_observed``).
        runs: The best trial's runs (one per seed): ``date`` and at least the observed
            metrics, over the whole run.
        title: The figure's title.
        band: Lower and upper quantiles of the shaded band over seeds.
        catalog: Timeseries metric definitions (``analysis.load.load_metrics(run_dir,
            "timeseries")``) for the panels' titles and axes; None labels metrics by
            their names.

    Returns:
        The figure (``analysis.plots``' style: dates on x, metric and unit on y).
    """
    from matplotlib.figure import Figure

    from analysis import plots

    metrics = list(observed.columns)
    frame = pd.concat([r.assign(run=i, fit="model") for i, r in enumerate(runs)], ignore_index=True)
    fig = Figure(figsize=(plots.WIDTH, 0.9 + 3.0 * len(metrics)), layout="constrained")
    axes = fig.subplots(len(metrics), 1, squeeze=False, sharex=True)[:, 0]
    n = len(runs)
    for ax, metric in zip(axes, metrics, strict=True):
        b = plots.seed_bands(frame, metric, by="fit", low=band[0], high=band[1])
        label = f"model: median of {n} seed{'s' * (n > 1)}"
        ax.plot(b["date"], b["median"], color="#2e86c1", lw=1.8, label=label)
        if n > 1:
            ax.fill_between(
                b["date"],
                b["low"],
                b["high"],
                color="#2e86c1",
                alpha=0.2,
                lw=0,
                label=f"model: {100 * band[0]:g}–{100 * band[1]:g}% over seeds",
            )
        ax.plot(
            observed.index,
            observed[metric],
            "o",
            ms=3.5,
            color="#c0392b",
            label="observed",
        )
        plots._date_axis(ax)
        ax.set_ylabel(plots._axis_label(metric, catalog))
        ax.set_title(plots._title_of(metric, catalog))
        ax.grid(alpha=0.3)
        ax.margins(x=0)
        ax.set_ylim(0, None)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    axes[0].legend(fontsize="small", frameon=False)
    fig.suptitle(title)
    return fig


def _fmt(x: Any) -> str:
    return f"{float(x):.4g}"


def report_markdown(
    name: str,
    spec: Mapping[str, Any],
    intervals: pd.DataFrame,
    best: Mapping[str, Any],
    counts: Mapping[str, int],
    wall_seconds: Mapping[str, float],
) -> str:
    """The calibration's report: best values, approximate intervals, trials and time.

    Args:
        name: The calibration's name.
        spec: The calibration's spec (``spec.yaml`` data).
        intervals: ``profile_intervals``' table.
        best: The best trial: ``number``, ``loglik`` and ``loglik.<metric>``.
        counts: Trials by state (``COMPLETE``, ``FAIL``, ...), and ``runs``.
        wall_seconds: ``this`` (this command) and ``total`` (every command so far), s.

    Returns:
        Markdown text, ending with a newline.
    """
    total = sum(v for k, v in counts.items() if k != "runs")
    seeds = list(spec["seeds"])
    lines = [
        f"# Calibration `{name}`",
        "",
        f"- observed: `{spec['observed']}` ({', '.join(spec['metrics'])})",
        f"- overrides: `{' '.join(spec['overrides']) or '(none)'}`",
        f"- likelihood: {spec['likelihood']}"
        + (f" (dispersion k = {spec['dispersion']:g})" if spec["likelihood"] == "negbin" else ""),
        f"- trials: {total} ({counts.get('COMPLETE', 0)} complete, {counts.get('FAIL', 0)} "
        f"failed) x {len(seeds)} seeds {seeds} = {counts.get('runs', 0)} runs",
        f"- wall time: {wall_seconds['this']:.1f} s this time, {wall_seconds['total']:.1f} s "
        "in all",
        f"- best: trial {best['number']}, log-likelihood {best['loglik']:.2f}"
        + "".join(
            f"; {k.removeprefix('loglik.')} {v:.2f}"
            for k, v in best.items()
            if k.startswith("loglik.")
        ),
        "",
        "| parameter | best | approx. 95% interval | trials within 1.92 | bounds |",
        "|---|---:|---|---:|---|",
    ]
    params = spec["params"]
    for row in intervals.itertuples(index=False):
        p = params[row.param]
        note = f" (reaches the {row.at_bound} bound{'s' * (row.at_bound == 'both')})"
        scale = " log" if p.get("log") else ""
        lines.append(
            f"| `{row.param}` | {_fmt(row.best)} | {_fmt(row.low)} – {_fmt(row.high)}"
            f"{note if row.at_bound else ''} | {row.trials_within} | "
            f"{_fmt(p['low'])} – {_fmt(p['high'])}{scale} |"
        )
    lines += [
        "",
        "The intervals are approximate: the range of each parameter over the trials whose "
        "total log-likelihood is within 1.92 of the best (a profile-likelihood 95% interval "
        "read off the trials). They are only as good as the trials' cover of the space near "
        "the best: with few trials there they are too narrow, and they stop at the bounds.",
        "",
    ]
    return "\n".join(lines)
