"""Moved timelines: ``delay_days`` (late_response) and knobs tied to knobs (early_lifting)."""

import datetime as dt
from pathlib import Path

import pytest

from sim.errors import ConfigError
from sim.scenario import delayed, load_scenario
from tests.helpers import scenario_file

ROOT = Path(__file__).resolve().parents[2]
LIFTED = ("household_pass", "vehicle_pass", "community_closure", "checkpoints")


def later(value, days):
    if isinstance(value, int):
        return value + days
    return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()


def check_moved(base, moved, days):
    assert [e["kind"] for e in moved.entries] == [e["kind"] for e in base.entries]
    for b, m in zip(base.entries, moved.entries, strict=True):
        assert set(m) == set(b)
        assert m["start"] == later(b["start"], days), b["kind"]
        if "stop" in b:
            assert m["stop"] == later(b["stop"], days), b["kind"]
        # everything else in the entry is as it was
        assert {k: v for k, v in m.items() if k not in ("start", "stop")} == {
            k: v for k, v in b.items() if k not in ("start", "stop")
        }
    for b, p, q in zip(base.entries, base.policies, moved.policies, strict=True):
        assert (q.kind, q.start) == (p.kind, p.start + days)
        assert q.stop == (p.stop + days if "stop" in b else p.stop)  # no stop: open-ended


def test_late_response_is_huaian_2020_a_week_later():
    base = load_scenario("huaian_2020", {}, 120)
    late = load_scenario("late_response", {}, 120)
    assert base.delay_days == 0
    assert late.delay_days == 7 and late.knobs["delay_days"] == 7
    assert late.to_dict()["delay_days"] == 7
    assert (late.start_date, late.end_date) == (base.start_date, base.end_date)
    check_moved(base, late, 7)
    # spot checks against the file's dates
    starts = {e["kind"]: e["start"] for e in late.entries}
    assert starts["isolate_confirmed"] == "2020-01-27"
    assert starts["household_pass"] == "2020-02-12"
    stops = {e["kind"]: e.get("stop") for e in late.entries}
    assert stops["work_stoppage"] == "2020-02-17"
    assert stops["checkpoints"] == "2020-04-03"
    # the knobs themselves are the file's: only the windows move
    assert {k: v for k, v in late.knobs.items() if k != "delay_days"} == base.knobs


def test_late_response_delay_knob():
    base = load_scenario("huaian_2020", {}, 120)
    fortnight = load_scenario("late_response", {"delay_days": 14}, 120)
    assert fortnight.delay_days == 14
    check_moved(base, fortnight, 14)
    assert load_scenario("late_response", {"delay_days": 14.0}, 120).delay_days == 14
    none = load_scenario("late_response", {"delay_days": 0}, 120)
    assert none.delay_days == 0
    assert none.entries == base.entries
    assert [(p.kind, p.start, p.stop) for p in none.policies] == [
        (p.kind, p.start, p.stop) for p in base.policies
    ]


@pytest.mark.parametrize("value", [1.5, "abc", "7"])
def test_a_non_integer_delay_knob_is_an_error(value):
    with pytest.raises(ConfigError, match="delay_days"):
        load_scenario("late_response", {"delay_days": value}, 120)


@pytest.mark.parametrize("value", [100, -3])
def test_a_delay_that_moves_a_start_out_of_the_period_is_an_error(value):
    with pytest.raises(ConfigError, match=r"start must fall within the scenario's period"):
        load_scenario("late_response", {"delay_days": value}, 120)


def test_delayed_moves_whole_windows():
    entry = {"kind": "checkpoints", "start": 3, "stop": 10, "share": 0.5}
    assert delayed(entry, 4) == {"kind": "checkpoints", "start": 7, "stop": 14, "share": 0.5}
    assert entry == {"kind": "checkpoints", "start": 3, "stop": 10, "share": 0.5}  # untouched
    assert delayed({"kind": "x", "start": 2}, 5) == {"kind": "x", "start": 7}
    assert delayed({"kind": "x", "start": "2020-02-27", "stop": "2020-03-01"}, 3) == {
        "kind": "x",
        "start": "2020-03-01",
        "stop": "2020-03-04",
    }  # 2020 is a leap year
    assert delayed({"kind": "x", "start": 3, "stop": None}, 2) == {
        "kind": "x",
        "start": 5,
        "stop": None,
    }
    assert delayed(entry, 0) == entry
    assert delayed({"kind": "x", "start": 9}, -4) == {"kind": "x", "start": 5}


def test_delay_days_in_a_scenario_file_with_day_indices(tmp_path):
    policies = [
        {"kind": "isolate_confirmed", "start": 0},
        {"kind": "checkpoints", "start": 2, "stop": 10},
    ]
    plain = load_scenario(str(scenario_file(tmp_path, policies, name="plain")), {}, 120)
    f = scenario_file(tmp_path, policies, name="late", delay_days=5)
    sc = load_scenario(str(f), {}, 120)
    assert sc.delay_days == 5
    assert [(e["start"], e.get("stop")) for e in sc.entries] == [(5, None), (7, 15)]
    assert [(p.start, p.stop) for p in sc.policies] == [
        (plain.policies[0].start + 5, plain.policies[0].stop),
        (7, 15),
    ]


@pytest.mark.parametrize("value", [1.5, "abc", True, [1]])
def test_a_non_integer_delay_days_is_an_error(tmp_path, value):
    f = scenario_file(tmp_path, [{"kind": "isolate_confirmed", "start": 0}], delay_days=value)
    with pytest.raises(ConfigError, match=r"delay_days must be a whole number"):
        load_scenario(str(f), {}, 120)


def test_early_lifting_lifts_the_restrictions_on_lifting_date():
    base = load_scenario("huaian_2020", {}, 120)
    early = load_scenario("early_lifting", {}, 120)
    assert early.delay_days == 0
    for knob in ("lifting_date", "closure_stop", "pass_stop", "checkpoints_stop"):
        assert early.knobs[knob] == "2020-02-10", knob
    assert [e["kind"] for e in early.entries] == [e["kind"] for e in base.entries]
    for b, e in zip(base.entries, early.entries, strict=True):
        if e["kind"] in LIFTED:
            assert e["stop"] == "2020-02-10", e["kind"]
            assert b["stop"] != "2020-02-10"
            assert {k: v for k, v in e.items() if k != "stop"} == {
                k: v for k, v in b.items() if k != "stop"
            }
        else:
            assert e == b, e["kind"]
    stop = {p.kind: p.stop for p in early.policies}
    assert all(stop[k] == 21 for k in LIFTED)  # 2020-02-10 is day 21 after 2020-01-20
    # grid work's other duties keep their date
    assert {e["kind"]: e.get("stop") for e in early.entries}["information_push"] == "2020-03-27"


def test_early_lifting_moves_with_lifting_date():
    later_lift = load_scenario("early_lifting", {"lifting_date": "2020-02-17"}, 120)
    for knob in ("closure_stop", "pass_stop", "checkpoints_stop"):
        assert later_lift.knobs[knob] == "2020-02-17", knob
    stops = {e["kind"]: e["stop"] for e in later_lift.entries if e["kind"] in LIFTED}
    assert stops == dict.fromkeys(LIFTED, "2020-02-17")
    assert {p.kind: p.stop for p in later_lift.policies if p.kind in LIFTED} == dict.fromkeys(
        LIFTED, 28
    )
    # a date YAML would parse is taken too
    dated = load_scenario("early_lifting", {"lifting_date": dt.date(2020, 2, 17)}, 120)
    assert dated.entries == later_lift.entries


def test_huaian_checkpoints_follow_grid_work_stop():
    base = load_scenario("huaian_2020", {}, 120)
    assert base.knobs["checkpoints_stop"] == base.knobs["grid_work_stop"] == "2020-03-27"
    sc = load_scenario("huaian_2020", {"grid_work_stop": "2020-03-20"}, 120)
    assert sc.knobs["checkpoints_stop"] == "2020-03-20"
    stops = {e["kind"]: e.get("stop") for e in sc.entries}
    assert stops["checkpoints"] == stops["information_push"] == "2020-03-20"
    assert stops["community_closure"] == "2020-03-27"  # a knob of its own
    # overriding checkpoints_stop itself unties it
    own = load_scenario("huaian_2020", {"checkpoints_stop": "2020-03-01"}, 120)
    stops = {e["kind"]: e.get("stop") for e in own.entries}
    assert (stops["checkpoints"], stops["information_push"]) == ("2020-03-01", "2020-03-27")


def test_the_scenarios_readme_documents_them():
    text = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    assert "delay_days" in text
    assert "`late_response`" in text
    assert "`early_lifting`" in text
