import numpy as np
import pandas as pd
import pytest

from sim.metrics import Metric, metrics_document, table
from sim.recorder import EventLog, Recorder

XY = """
new_x | things | new x
    x per day
mean_y | y | mean y | real
    y
"""


def test_recorder_requires_every_declared_metric():
    r = Recorder(3)
    x, y = table(XY)
    r.declare(x)
    r.declare(y)
    with pytest.raises(ValueError, match="declared twice"):
        r.declare(Metric("new_x", "things", "x", "again"))
    with pytest.raises(ValueError, match="snake_case"):
        r.declare(Metric("New X", "things", "x", "bad name"))
    with pytest.raises(KeyError, match="missing"):
        r.record(0, {"new_x": 1})
    with pytest.raises(KeyError, match="undeclared"):
        r.record(0, {"new_x": 1, "mean_y": 0.5, "other": 2})
    for d in range(3):
        r.record(d, {"new_x": d, "mean_y": d / 2})
    f = r.frame(pd.date_range("2020-01-20", periods=3))
    assert f["new_x"].dtype == np.int64 and f["mean_y"].dtype == np.float64
    assert f["day"].tolist() == [0, 1, 2]


def test_event_log_vectorised_and_empty():
    log = EventLog()
    assert list(log.frame().columns) == ["day", "actor", "action", "target", "source"]
    log.add(2, "hospital", "confirm", np.array([5, 9]))
    log.add(3, "authority", "start isolate_confirmed")
    log.add(4, "hospital", "confirm", np.array([], dtype=np.int64))
    f = log.frame()
    assert len(log) == 3
    assert f["target"].tolist() == [5, 9, -1]
    assert f["action"].tolist() == ["confirm", "confirm", "start isolate_confirmed"]


def test_metrics_document_lists_each_metric_once_with_unit_label_and_description():
    ts = table(XY)
    doc = metrics_document(ts, [Metric("cum_x", "things", "x", "x over the run")])
    assert doc["format_version"] == 1
    assert doc["timeseries"][0] == {
        "name": "new_x",
        "unit": "things",
        "label": "new x",
        "description": "x per day",
    }
    assert [m["name"] for m in doc["summary"]] == ["cum_x"]
    with pytest.raises(ValueError, match="declared twice: \\['new_x'\\]"):
        metrics_document([*ts, ts[0]], [])


def test_metric_tables_repeat_rows_for_each_value_and_reject_bad_rows():
    rows = table(
        """
        new_infections_{layer} | residents | new infections ({layer})
            residents infected today
            in the {layer} layer
        share | share | a share | real
            a real number
        """,
        layer=["household", "market"],
    )
    assert [m.name for m in rows] == ["new_infections_household", "new_infections_market", "share"]
    assert rows[1].label == "new infections (market)"
    assert rows[1].description == "residents infected today in the market layer"
    assert rows[0].integer and not rows[2].integer
    with pytest.raises(ValueError, match="name \\| unit \\| label"):
        table("new_x | things\n    no label")
    with pytest.raises(ValueError, match="no description"):
        table("new_x | things | x\nnew_y | things | y\n    y")
