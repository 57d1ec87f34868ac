"""Derived scenarios: ``base`` takes another scenario, ``drop`` removes policy kinds."""

import pytest
import yaml

from sim.errors import ConfigError
from sim.scenario import load_scenario


def write(path, content):
    path.write_text(yaml.safe_dump(content))
    return str(path)


def test_no_passes_is_huaian_2020_without_the_passes():
    base = load_scenario("huaian_2020", {}, 120)
    derived = load_scenario("no_passes", {}, 120)
    dropped = ("household_pass", "vehicle_pass")
    kept = [p for p in base.policies if p.kind not in dropped]
    assert len(kept) == len(base.policies) - 2
    assert [p.describe() for p in derived.policies] == [p.describe() for p in kept]
    assert [(p.kind, p.start, p.stop) for p in derived.policies] == [
        (p.kind, p.start, p.stop) for p in kept
    ]
    assert not {p.kind for p in derived.policies} & set(dropped)
    assert (derived.start_date, derived.end_date) == (base.start_date, base.end_date)
    assert derived.knobs == base.knobs
    assert derived.name == "no_passes" and derived.description != base.description


def test_a_derived_scenario_overrides_knobs_and_appends_policies(tmp_path):
    f = write(
        tmp_path / "later_passes.yaml",
        {
            "name": "later_passes",
            "description": "test",
            "base": "huaian_2020",
            "knobs": {"pass_start": "2020-02-10", "extra": 0.5},
            "policies": [{"kind": "market_closure", "start": 30, "share_closed": "${knobs.extra}"}],
        },
    )
    base = load_scenario("huaian_2020", {}, 120)
    sc = load_scenario(f, {}, 120)
    start = {p.kind: p.start for p in sc.policies}
    assert start["household_pass"] == 21  # 2020-02-10 is day 21 after 2020-01-20
    assert start["vehicle_pass"] == 21
    assert {p.kind: p.start for p in base.policies}["household_pass"] == 16  # unchanged base
    assert len(sc.policies) == len(base.policies) + 1
    last = sc.policies[-1]
    assert (last.kind, last.start, last.params.share_closed) == ("market_closure", 30, 0.5)
    assert last.index == len(sc.policies) - 1
    # the base's other knobs are kept, and the derived scenario's knobs can be overridden
    assert sc.knobs["closure_start"] == base.knobs["closure_start"]
    again = load_scenario(f, {"pass_start": "2020-02-12", "extra": 1.0}, 120)
    assert {p.kind: p.start for p in again.policies}["household_pass"] == 23
    assert again.policies[-1].params.share_closed == 1.0


def test_dropping_a_kind_the_base_does_not_have_is_an_error(tmp_path):
    f = write(
        tmp_path / "d.yaml",
        {"name": "d", "base": "huaian_2020", "drop": ["market_closure"]},
    )
    with pytest.raises(ConfigError, match=r"drop lists \['market_closure'\].*huaian_2020"):
        load_scenario(f, {}, 120)


def test_drop_without_a_base_is_an_error(tmp_path):
    f = write(
        tmp_path / "d.yaml",
        {
            "name": "d",
            "start_date": "2020-01-20",
            "end_date": "2020-05-18",
            "drop": ["household_pass"],
            "policies": [],
        },
    )
    with pytest.raises(ConfigError, match=r"drop needs a base"):
        load_scenario(f, {}, 120)


def test_base_scenarios_that_form_a_cycle_are_an_error(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    write(a, {"name": "a", "base": str(b)})
    write(b, {"name": "b", "base": str(a)})
    with pytest.raises(ConfigError, match=r"cycle"):
        load_scenario(str(a), {}, 120)
    write(a, {"name": "a", "base": str(a)})  # its own base
    with pytest.raises(ConfigError, match=r"cycle"):
        load_scenario(str(a), {}, 120)


def test_an_unknown_base_is_an_error(tmp_path):
    f = write(tmp_path / "d.yaml", {"name": "d", "base": "huaian_2021"})
    with pytest.raises(ConfigError, match=r"scenario must be one of .*got 'huaian_2021'"):
        load_scenario(f, {}, 120)
