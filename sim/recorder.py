"""Declared daily metrics (one row per day) and the event log of a run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import Metric


class Recorder:
    """The daily metrics of one run: declared names, one value per day each.

    A metric is declared once (``Metric``: name, unit, label, description); recording
    an undeclared name is an error, and every declared metric must be recorded every day.
    Names follow the house convention: ``new_*`` flows, ``n_*`` stocks, ``cum_*`` totals.

    Args:
        days: Number of days in the run.
    """

    def __init__(self, days: int) -> None:
        self.days = days
        self.metrics: dict[str, Metric] = {}
        self._values: dict[str, np.ndarray] = {}

    def declare(self, metric: Metric) -> None:
        """Declare a metric (its name snake-case: ``new_*``, ``n_*``, ``cum_*`` or a measure)."""
        name = metric.name
        if not name.replace("_", "").isalnum() or not name.islower():
            raise ValueError(f"metric name {name!r} must be snake_case")
        if name in self._values:
            raise ValueError(f"metric {name!r} declared twice")
        self.metrics[name] = metric
        self._values[name] = np.full(self.days, np.nan)

    def record(self, day: int, values: dict[str, float]) -> None:
        """Record today's values; every declared metric must be given."""
        missing = self._values.keys() - values.keys()
        extra = values.keys() - self._values.keys()
        if missing or extra:
            raise KeyError(f"metrics missing {sorted(missing)} / undeclared {sorted(extra)}")
        for name, v in values.items():
            self._values[name][day] = v

    def column(self, name: str) -> np.ndarray:
        """The values of one metric over the days recorded so far."""
        return self._values[name]

    def frame(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """One row per day: ``day``, ``date`` and one column per metric."""
        n = len(dates)
        data: dict[str, object] = {"day": np.arange(n, dtype=np.int32), "date": dates}
        for name, v in self._values.items():
            col = v[:n]
            data[name] = col.astype(np.int64) if self.metrics[name].integer else col
        return pd.DataFrame(data)


class EventLog:
    """What happened to whom: rows of (day, actor, action, target, source).

    Per-resident events come in arrays (one call a day, no Python loop over
    residents); ``target`` is a resident index, or -1 for district-level events;
    ``source`` is the resident who acted (the infector of an ``infect`` event), or -1.
    """

    def __init__(self) -> None:
        self._day: list[np.ndarray] = []
        self._actor: list[np.ndarray] = []  # codes into self._labels
        self._action: list[np.ndarray] = []
        self._target: list[np.ndarray] = []
        self._source: list[np.ndarray] = []
        self._labels: dict[str, int] = {}  # every actor and action string, coded once

    def add(
        self,
        day: int,
        actor: str,
        action: str,
        targets: np.ndarray | int = -1,
        sources: np.ndarray | int = -1,
    ) -> None:
        """Log one action by ``actor`` on each of ``targets`` (or one district-level event).

        Args:
            day: Day index.
            actor: Who acted (``resident``, ``outside``, ``hospital``, ``grid_worker``...).
            action: What was done.
            targets: Residents (or firms) acted on; -1 for a district-level event.
            sources: The acting resident of each target (e.g. the infector), or -1.
        """
        t = np.atleast_1d(np.asarray(targets, dtype=np.int64))
        if t.size == 0:
            return
        self._day.append(np.full(t.size, day, dtype=np.int32))
        self._actor.append(np.full(t.size, self._code(actor), dtype=np.int32))
        self._action.append(np.full(t.size, self._code(action), dtype=np.int32))
        self._target.append(t)
        self._source.append(np.broadcast_to(np.asarray(sources, dtype=np.int64), t.shape).copy())

    def _code(self, label: str) -> int:
        return self._labels.setdefault(label, len(self._labels))

    def __len__(self) -> int:
        return int(sum(a.size for a in self._day))

    def frame(self) -> pd.DataFrame:
        """All events in the order logged."""
        if not self._day:
            return pd.DataFrame(
                {
                    "day": pd.Series([], dtype="int32"),
                    "actor": pd.Series([], dtype="string[pyarrow]"),
                    "action": pd.Series([], dtype="string[pyarrow]"),
                    "target": pd.Series([], dtype="int64"),
                    "source": pd.Series([], dtype="int64"),
                }
            )
        # strings from codes (a million infections would be a million Python strings)
        labels = list(self._labels)

        def strings(codes: list[np.ndarray]) -> pd.Series:
            c = np.concatenate(codes)
            used = np.unique(c)
            names = pd.Index([labels[i] for i in used], dtype=object)
            cat = pd.Categorical.from_codes(np.searchsorted(used, c), names)
            # Arrow strings: compact, and the same dtype in every run
            return pd.Series(cat).astype("string[pyarrow]")

        return pd.DataFrame(
            {
                "day": np.concatenate(self._day),
                "actor": strings(self._actor),
                "action": strings(self._action),
                "target": np.concatenate(self._target),
                "source": np.concatenate(self._source),
            }
        )
