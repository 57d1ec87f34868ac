"""HTML reports of a real run and sweep: self-contained, complete, escaped; clear errors."""

import datetime as dt
import json
import logging
import re
import shutil

import pandas as pd
import pytest
import yaml

from analysis.load import NotARunError
from analysis.numbers import money_text
from analysis.report import REPORT_NAME, main, policy_windows, write_report
from tests.analysis.test_plots import SCENARIOS, generated_outputs

IMG = '<img src="data:image/png;base64,'


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    return generated_outputs(tmp_path_factory)


@pytest.fixture(scope="module")
def run_report(outputs):
    path = write_report(outputs[0])
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sweep_report(outputs):
    path = write_report(outputs[1])
    return path, path.read_text(encoding="utf-8")


def number(x: float) -> str:
    """The report's figures: thousands separated, 3 significant digits below 1000."""
    if abs(x) >= 999.5 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:.3g}"


def assert_self_contained(text: str) -> None:
    """Nothing to fetch: no scripts, stylesheets, fonts or images from elsewhere."""
    lowered = text.lower()
    assert "<script" not in lowered
    assert "<link" not in lowered
    assert "@import" not in lowered and "url(" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", lowered)
    assert "<style>" in lowered  # the styles are inline


def test_run_report(outputs, run_report):
    run_dir = outputs[0]
    path, text = run_report
    assert path == run_dir / REPORT_NAME
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert_self_contained(text)
    summary = json.loads((run_dir / "summary.json").read_text())
    scenario = yaml.safe_load((run_dir / "scenario.yaml").read_text())
    # title: scenario, seed, residents, dates
    head = text[: text.index("</h1>") + 300]
    assert "huaian_2020" in head and "seed 1" in head
    assert "5,000 residents" in head and "2020-01-20 to 2020-05-18" in head
    # the timeline and five time plots, inline
    assert text.count(IMG) == 6
    # key outcomes with their values and units
    for key, unit in [
        ("cum_infections", "persons"),
        ("household_days_without_necessities", "household-days"),
        ("firms_failed", "firms"),
        ("jobs_lost", "jobs"),
        ("peak_delivery_backlog", "orders"),
    ]:
        assert re.search(rf">{re.escape(number(summary[key]))}</td><td>{unit}", text), key
    for key in ("fiscal_cost_cny", "wage_loss_cny", "farmer_unsold_value_cny"):
        # money in thousands or millions, the currency in the unit column
        amount = money_text(summary[key], currency=False)
        assert re.search(r"(million|thousand)$", amount) or summary[key] < 1000, amount
        assert f">{amount}</td><td>CNY" in text, key
    staff = sum(summary["staff_hours_by_task"].values())
    assert f">{number(staff)}</td><td>hours" in text
    low = summary["person_trips_vs_baseline_min7d"]
    assert f">{100 * low:.1f}%</td><td>% of a normal day" in text
    for instrument in summary["fiscal_cost_by_instrument"]:
        assert instrument.replace("_", " ") in text
    # the scenario: every policy kind, every knob, the description
    for policy in scenario["policies"]:
        assert f"<td>{policy['kind']}</td>" in text
    for knob in scenario["knobs"]:
        assert f"<td>{knob}</td>" in text
    assert "closed communities" in text  # from the description
    assert "interval_days = 2" in text  # a policy's parameter
    # the configuration, collapsed
    assert re.search(r"<details><summary>config\.yaml.*?<pre>seed: 1\n", text, re.S)
    assert "residents: 5000" in text


def test_sweep_report(outputs, sweep_report):
    sweep_dir = outputs[1]
    path, text = sweep_report
    assert path == sweep_dir / REPORT_NAME
    assert_self_contained(text)
    for name in SCENARIOS:
        assert name in text
    assert "4 runs" in text and "<dd>1, 2</dd>" in text  # runs and seeds
    # five time plots, cost-effectiveness and frontier
    assert text.count(IMG) == 7
    assert "Paired differences against huaian_2020" in text
    assert "Cost-effectiveness against huaian_2020" in text
    assert "Health–economy frontier" in text
    summaries = pd.read_parquet(sweep_dir / "summary.parquet")
    means = summaries.groupby("override.scenario")[["firms_failed", "cum_infections"]].mean()
    for name in SCENARIOS:
        for metric in means.columns:
            assert f">{number(means.loc[name, metric])}</td>" in text, (name, metric)
    # the paired difference of firm failures, no_relief minus huaian_2020
    ff = summaries.pivot(index="override.seed", columns="override.scenario", values="firms_failed")
    diff = (ff["no_relief"] - ff["huaian_2020"]).mean()
    assert f"+{number(diff)}" in text


def test_sweep_report_with_another_baseline_and_out_file(outputs, tmp_path):
    out = tmp_path / "reports" / "relief.html"
    path = write_report(outputs[1], out=out, baseline="no_relief")
    assert path == out
    text = out.read_text()
    assert "Paired differences against no_relief" in text
    assert "Cost-effectiveness against no_relief" in text
    # an existing directory as out gets report.html
    assert write_report(outputs[1], out=tmp_path, baseline="no_relief") == tmp_path / REPORT_NAME


def test_several_run_directories_make_a_sweep_report(outputs, tmp_path):
    sweep_dir = outputs[1]
    jobs = sorted(p.parent for p in sweep_dir.glob("*/summary.json"))
    out = write_report(jobs[:3], out=tmp_path / "r.html")
    text = out.read_text()
    assert "3 runs" in text and all(name in text for name in SCENARIOS)
    # default: report.html in the directories' common parent
    assert write_report(jobs[:2]) == sweep_dir / REPORT_NAME


def test_labels_and_units_come_from_metrics_json(outputs, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(outputs[0], run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for entry in metrics["summary"]:
        if entry["name"] == "jobs_lost":
            entry.update(label="positions gone", unit="posts")
    (run_dir / "metrics.json").write_text(json.dumps(metrics))
    summary = json.loads((run_dir / "summary.json").read_text())
    text = write_report(run_dir, out=tmp_path / "r.html").read_text()
    assert f'<td>positions gone</td><td class="num">{number(summary["jobs_lost"])}</td>' in text
    assert f">{number(summary['jobs_lost'])}</td><td>posts</td>" in text
    # analysis's own derived outcome keeps its label
    assert "<td>staff hours, all tasks</td>" in text


def test_without_metrics_json_names_label_the_outcomes_with_one_warning(outputs, tmp_path, caplog):
    sweep = tmp_path / "sweep"
    shutil.copytree(outputs[1], sweep)
    for f in sweep.rglob("metrics.json"):
        f.unlink()
    (sweep / REPORT_NAME).unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING, logger="analysis"):
        text = write_report(sweep).read_text()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "metrics.json" in warnings[0]
    assert "<td>cum_infections</td>" in text and "<td>firms_failed</td>" in text
    assert "<td>staff hours, all tasks</td>" in text  # derived by analysis: still labelled
    assert text.count(IMG) == 7  # every plot, labelled by column names


def test_text_is_escaped(outputs, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(outputs[0], run_dir)
    (run_dir / REPORT_NAME).unlink(missing_ok=True)
    scenario = yaml.safe_load((run_dir / "scenario.yaml").read_text())
    scenario["description"] = "<script>alert('x')</script> & more"
    (run_dir / "scenario.yaml").write_text(yaml.safe_dump(scenario))
    text = write_report(run_dir).read_text()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in text
    assert "<script" not in text
    assert not list(run_dir.glob(".*.tmp"))  # written through a temporary file


def test_policy_windows_from_day_indices_and_dates():
    scenario = {
        "start_date": "2020-01-20",
        "end_date": "2020-05-18",
        "policies": [
            {"kind": "a", "start": 0},
            {"kind": "b", "start": "2020-02-01", "stop": 20, "capacity": 5},
            {"kind": "c", "start": 3, "stop": "2020-12-31", "sizes": ["micro", "small"]},
        ],
    }
    w = policy_windows(scenario, days=30)
    end = pd.Timestamp("2020-02-19")  # day 30
    assert list(w["kind"]) == ["a", "b", "c"]
    assert list(w["start"]) == [pd.Timestamp(d) for d in ("2020-01-20", "2020-02-01", "2020-01-23")]
    assert list(w["stop"]) == [end, pd.Timestamp("2020-02-09"), pd.Timestamp("2020-12-31")]
    assert list(w["until"]) == ["end of run", "2020-02-09", "2020-12-31"]
    assert list(w["continues"]) == [True, False, True]
    assert list(w["parameters"]) == ["", "capacity = 5", "sizes = micro, small"]
    # without days: the scenario's period
    assert policy_windows(scenario)["stop"].iloc[0] == pd.Timestamp(dt.date(2020, 5, 19))
    with pytest.raises(NotARunError, match=r"policies\[0\]\.start"):
        policy_windows({"start_date": "2020-01-20", "policies": [{"kind": "a", "start": "x"}]})


def test_foreign_unfinished_and_missing_directories(outputs, tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not a run")
    with pytest.raises(NotARunError, match="no finished gridgov run"):
        write_report(foreign)
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    shutil.copy(outputs[0] / "timeseries.parquet", unfinished)
    with pytest.raises(NotARunError, match="no finished gridgov run"):
        write_report(unfinished)
    with pytest.raises(NotARunError, match="does not exist"):
        write_report(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="baseline 'nope'"):
        write_report(outputs[1], out=tmp_path / "x.html", baseline="nope")
    assert not (tmp_path / "x.html").exists()
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


def test_main_writes_and_prints_the_path(outputs, tmp_path, capsys):
    out = tmp_path / "run.html"
    assert main([str(outputs[0]), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"{out}\n"
    assert out.read_text().count(IMG) == 6


def test_main_bad_input_returns_2_and_writes_nothing(outputs, tmp_path, capsys, caplog):
    caplog.set_level(logging.ERROR)
    assert main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "r.html")]) == 2
    assert "bad input" in caplog.text and "does not exist" in caplog.text
    assert capsys.readouterr().out == ""
    assert list(tmp_path.iterdir()) == []
    caplog.clear()
    assert main([str(outputs[1]), "--baseline", "nope", "--out", str(tmp_path / "r.html")]) == 2
    assert "bad input" in caplog.text and "nope" in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_a_run_report_opens_with_the_outcomes_in_words_and_says_when_health_cannot_differ():
    from analysis.report import _brief

    summary = {
        "residents": 50_000,
        "cum_infections": 12,
        "cum_imported": 10,
        "initial_infected": 0,
        "cum_deaths": 0,
        "household_days_without_necessities": 30,
        "firms_failed": 4,
        "firms_total": 1_000,
        "fiscal_cost_cny": 1_397_424_302,
    }
    brief = _brief(summary, 928_700)
    assert (
        "12 infections (2 in the district, the rest from outside) (24 per 100,000 residents)"
        in (brief)
    )
    assert "60 per 100,000 residents" in brief  # the household-days, scaled
    assert "4 firms failed of 1,000" in brief and "1,397 million CNY of public money" in brief
    assert "did not take off" in brief
    took_off = _brief({**summary, "cum_infections": 500, "residents": 928_700}, 928_700)
    assert "did not take off" not in took_off and "per 100,000" not in took_off


def test_the_run_report_puts_the_brief_first_and_the_run_details_last(tmp_path_factory):
    run_dir, _ = generated_outputs(tmp_path_factory)
    target = write_report([run_dir], tmp_path_factory.mktemp("rep") / "r.html")
    text = target.read_text(encoding="utf-8")
    assert text.index("In brief") < text.index("Key outcomes") < text.index("About this run")
    assert text.index("About this run") < text.index("code version")
    assert "per 100,000 residents" in text  # 5,000 residents: figures scaled too


def test_comparison_cells_read_as_amounts_not_artefacts():
    from analysis.report import _amount, _change

    assert _amount(0.6667, "persons") == "0.7" and _amount(12.4, "persons") == "12.4"
    assert _amount(1234.6, "persons") == "1,235"
    assert _amount(-2_500_000.0, "CNY", signed=True) == "-2.5 million"
    assert _amount(1_397_424_302, "CNY") == "1,397 million"
    assert _amount(0.0123, "% of residents") == "1.23%"
    assert _amount(0.0123, "% of residents", signed=True) == "+1.23 pp"
    assert _amount(-0.0, "persons", signed=True) == "0"  # no "-0"
    assert _change(0.125) == " (+12.5%)" and _change(1497.5) == " (×1,498)"
    assert _change(float("nan")) == "" and _change(float("inf")) == ""


def test_cost_per_firm_saved_only_for_relief_that_costs_more_and_saves_firms():
    from analysis.report import cost_per_firm_saved

    assert cost_per_firm_saved(1_397_424_302.0, 723.0) == "1.93 million CNY"
    assert cost_per_firm_saved(0.0, 12.0) == "–"  # nothing spent: no cost per firm
    assert cost_per_firm_saved(5e6, 0.0) == "–" and cost_per_firm_saved(5e6, -3.0) == "–"
    assert cost_per_firm_saved(float("nan"), 3.0) == "–"
