import dataclasses
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.day import Today
from sim.errors import ConfigError
from sim.policies import REGISTRY, build_policy
from sim.scenario import load_scenario
from tests.helpers import small_config

START = dt.date(2020, 1, 20)
README = Path(__file__).resolve().parents[2] / "scenarios" / "README.md"


def build(entry, days=30):
    return build_policy(entry, 0, START, days)


def test_windows_take_dates_or_indices_and_default_to_the_end():
    p = build({"kind": "reduce_contacts", "start": "2020-01-25", "stop": 10})
    assert (p.start, p.stop) == (5, 10)
    assert [d for d in range(30) if p.active(d)] == list(range(5, 10))
    q = build({"kind": "isolate_confirmed", "start": 0})
    assert q.active(0) and q.active(10**6)  # no stop: to the end of any run
    r = build({"kind": "isolate_confirmed", "start": dt.date(2020, 1, 21), "stop": 100})
    assert (r.start, r.stop) == (1, 100)  # a stop past the period is fine


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "lockdown", "start": 0}, r"kind must be one of \[.*'isolate_confirmed'.*\]"),
        (
            {"kind": "isolate_confirmed", "start": 0, "shar": 1},
            r"unknown parameter 'shar'.*'share'",
        ),
        ({"kind": "isolate_confirmed", "start": 0, "share": 1.5}, r"share must be a probability"),
        ({"kind": "isolate_confirmed", "start": 0, "share": "all"}, r"share must be a number"),
        (
            {"kind": "response_level", "start": 0, "level": 7},
            r"level must be one of \[1, 2, 3, 4\]",
        ),
        ({"kind": "response_level", "start": 0, "level": 1.5}, r"level must be an integer"),
        ({"kind": "reduce_contacts", "start": 0, "market": -1}, r"market must be non-negative"),
        ({"kind": "reduce_contacts", "start": 0, "market": 11}, r"market must be in \[0, 10"),
        (
            {"kind": "isolate_confirmed", "start": 40},
            r"start must fall within the scenario.s period, day 0\.\.29",
        ),
        (
            {"kind": "isolate_confirmed", "start": "2019-12-31"},
            r"start must fall within the scenario.s period",
        ),
        ({"kind": "isolate_confirmed", "start": 5, "stop": 5}, r"stop must come after start"),
        (
            {"kind": "isolate_confirmed", "start": "soon"},
            r"start must be a day index or an ISO date",
        ),
        ({"kind": "isolate_confirmed"}, r"start is required"),
        ({"start": 0}, r"mapping with a 'kind' key"),
    ],
)
def test_bad_entries_are_rejected_with_the_valid_values(entry, message):
    with pytest.raises(ConfigError, match=message):
        build(entry)


def test_reduce_contacts_combine_by_multiplying():
    cfg = small_config("scenario=no_intervention", "days=5")
    m = sim.DistrictModel(cfg)
    m.policies = [
        build({"kind": "reduce_contacts", "start": 0, "market": 0.5, "community": 0.2}, 5),
        build({"kind": "reduce_contacts", "start": 2, "market": 0.5}, 5),
    ]
    today = Today(3)
    m.apply_policies(today)
    assert today.mods.layer_factor == {
        "household": 1.0,
        "community": 0.2,
        "workplace": 1.0,
        "market": 0.25,
    }
    assert Today(4).mods.layer_factor["market"] == 1.0  # modifiers start afresh every morning


def test_closing_every_layer_stops_transmission():
    base = ["scenario=no_intervention", "days=40", "population.residents=20000"]
    open_ = sim.run(small_config(*base, "disease.seeding=[{start: 0, stop: 5, per_day: 1000}]"))
    assert open_.summary["cum_infections"] > 2 * open_.summary["cum_imported"]
    cfg = small_config(*base, "disease.seeding=[{start: 0, stop: 5, per_day: 1000}]")
    m = sim.DistrictModel(cfg)
    m.policies = [
        build(
            {
                "kind": "reduce_contacts",
                "start": 0,
                "household": 0,
                "community": 0,
                "workplace": 0,
                "market": 0,
            },
            40,
        )
    ]
    m.run()
    assert m.recorder.column("cum_infections")[-1] == m.recorder.column("new_imported").sum()


def test_isolation_removes_confirmed_cases_from_every_layer():
    cfg = small_config(
        "population.residents=20000", "disease.seeding=[{start: 0, stop: 5, per_day: 1000}]"
    )
    res = sim.run(cfg)
    e = res.model.epi
    confirmed = e.confirmed_day >= 0
    assert confirmed.sum() > 0
    # nobody was infected by a case after that case's confirmation (isolation is total)
    infected = np.flatnonzero(e.infector >= 0)
    src = e.infector[infected]
    after = (e.confirmed_day[src] >= 0) & (e.infected_day[infected] > e.confirmed_day[src])
    assert not after.any()
    assert res.timeseries["n_isolated"].max() > 0


def test_response_level_changes_care_seeking():
    base = [
        "population.residents=30000",
        "days=60",
        "scenario=no_intervention",
        "seed=4",
        "disease.seeding=[{start: 0, stop: 5, per_day: 1000}]",
    ]
    cfg = small_config(*base)
    slow = sim.DistrictModel(cfg)
    slow.run()
    fast = sim.DistrictModel(small_config(*base))
    fast.policies = [
        build(
            {
                "kind": "response_level",
                "start": 0,
                "care_seeking_prob": 1.0,
                "onset_to_confirmation_days": 1.0,
            },
            60,
        )
    ]
    fast.run()
    assert fast.recorder.column("response_level").tolist() == [1] * 60

    def delay(m):
        e = m.epi
        sel = (e.confirmed_day >= 0) & (e.t_confirm >= 0)
        return (e.confirmed_day[sel] - e.infected_day[sel]).mean()

    assert delay(fast) < delay(slow) - 1.5


def _yaml_value(value: object) -> str:
    """A default as it is written in YAML (null, true, false, numbers, strings)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_readme_documents_every_kind_and_parameter():
    text = README.read_text(encoding="utf-8")
    documented = re.findall(r"^### `(\w+)`", text, flags=re.M)
    assert sorted(documented) == sorted(REGISTRY)
    for kind, cls in REGISTRY.items():
        section = text.split(f"### `{kind}`", 1)[1].split("\n### ", 1)[0]
        for f in dataclasses.fields(cls.Params):
            assert f"| `{f.name}` | {_yaml_value(f.default)} |" in section, (kind, f.name)


def test_every_scenario_file_loads_and_is_listed_in_the_readme():
    text = README.read_text(encoding="utf-8")
    for path in sorted(README.parent.glob("*.yaml")):
        sc = load_scenario(path.stem, {}, 120)
        assert sc.name == path.stem
        assert f"`{path.stem}`" in text
        assert sc.description


def test_knob_overrides_are_type_checked_and_named():
    sc = load_scenario("huaian_2020", {"isolation_start": "2020-02-01"}, 120)
    iso = next(p for p in sc.policies if p.kind == "isolate_confirmed")
    assert iso.start == 12
    with pytest.raises(ConfigError, match=r"knobs.nope is not a knob.*valid knobs: \["):
        load_scenario("huaian_2020", {"nope": 1}, 120)
    with pytest.raises(ConfigError, match=r"knobs.care_seeking_prob must be of the type"):
        load_scenario("huaian_2020", {"care_seeking_prob": "high"}, 120)
    with pytest.raises(
        ConfigError, match=r"scenario must be one of \[.*'huaian_2020'.*got 'nowhere'"
    ):
        load_scenario("nowhere", {}, 120)


def test_a_scenario_file_by_path(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(
        "name: mine\ndescription: test\nstart_date: 2020-02-01\nend_date: 2020-02-20\n"
        "knobs: {d: 3}\n"
        "policies:\n  - {kind: reduce_contacts, start: '${knobs.d}', market: 0.5}\n"
    )
    sc = load_scenario(str(f), {"d": 4}, 10)
    assert sc.start_date == dt.date(2020, 2, 1)
    assert sc.policies[0].start == 4
    f.write_text("name: bad\nstart_date: 2020-02-01\nend_date: 2020-03-01\npolicy: []\n")
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['policy'\]"):
        load_scenario(str(f), {}, 10)
    f.write_text("name: bad\nstart_date: 2020-02-01\nend_date: 2020-01-01\n")
    with pytest.raises(ConfigError, match=r"end_date must not come before start_date"):
        load_scenario(str(f), {}, 10)
    f.write_text("name: bad\nstart_date: 2020-02-01\n")
    with pytest.raises(ConfigError, match=r"end_date must be an ISO date"):
        load_scenario(str(f), {}, 10)


def test_a_run_shorter_than_the_scenario_period_skips_later_policies():
    res = sim.run(small_config("days=10"))  # huaian_2020's level 2 starts on day 35
    assert res.timeseries["response_level"].tolist() == [0] * 4 + [1] * 6


def test_an_unreachable_r0_is_reported_with_the_ceiling():
    with pytest.raises(
        ConfigError, match=r"disease.r0 must be below 0\.\d+ in this world, got 2.2"
    ):
        sim.DistrictModel(
            small_config(
                "contacts.community_contacts=0",
                "contacts.workplace_contacts=0",
                "contacts.market_contacts=0",
            )
        )
    with pytest.raises(
        ConfigError, match=r"disease.r0 must be at least \d+\.\d+, the household part"
    ):
        sim.DistrictModel(small_config("contacts.household_sar=0.9", "disease.r0=1.0"))


def test_every_policy_kind_names_its_family_of_measures_for_the_outputs():
    from sim.policies.base import GROUPS
    from sim.scenario import load_scenario

    assert all(cls.group in GROUPS and cls.group != "other" for cls in REGISTRY.values())
    scenario = load_scenario("huaian_2020", {}, 120).to_dict()
    kinds = {p["kind"] for p in scenario["policies"]}
    assert set(scenario["policy_groups"]) == kinds
    assert scenario["policy_groups"]["household_pass"] == "mobility"
