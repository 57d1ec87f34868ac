"""Pairing's own definitions: derived outcomes, group names, default outcomes."""

import pandas as pd

from analysis.load import Metric, describe
from analysis.pairing import (
    DEFAULT_OUTCOMES,
    DERIVED_METRICS,
    group_label,
    paired_differences,
    with_derived_metrics,
)

from .metrics_fixture import catalog


def test_derived_outcomes_are_described_by_analysis():
    assert set(DERIVED_METRICS) == {"staff_hours"}
    staff = DERIVED_METRICS["staff_hours"]
    assert (staff.unit, staff.label) == ("hours", "staff hours, all tasks")
    merged = with_derived_metrics(catalog())
    assert merged["staff_hours"] == staff
    assert merged["cum_infections"] == catalog()["cum_infections"]
    assert with_derived_metrics(None) == DERIVED_METRICS
    # a definition read from the runs wins over analysis's own
    theirs = Metric("staff_hours", "h", "hours of staff", "")
    assert with_derived_metrics({"staff_hours": theirs})["staff_hours"] == theirs
    assert describe(with_derived_metrics(None), "staff_hours").label == "staff hours, all tasks"


def test_group_label_drops_the_decimal_point_of_whole_floats():
    assert [group_label(v) for v in (2000.0, 2500.5, 3, "a")] == ["2000", "2500.5", "3", "a"]


def test_default_outcomes_are_names_in_paired_differences():
    assert all(isinstance(m, str) for m in DEFAULT_OUTCOMES)
    rows = [
        {"scenario": sc, "seed": s, **{m: float(s + (sc == "b")) for m in DEFAULT_OUTCOMES}}
        for sc in ("a", "b")
        for s in (1, 2)
    ]
    t = paired_differences(pd.DataFrame(rows), "a")
    assert t["metric"].tolist() == list(DEFAULT_OUTCOMES)
    assert (t["difference"] == 1.0).all()
