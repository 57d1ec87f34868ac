"""Validation of the response apparatus against the district's own figures.

The default scenario ``huaian_2020`` at full scale (928,700 residents) against FACTS F1
(every resident screened door to door in 2 days), F9 (800+ problems found by
inspections) and F11 (the grid workers' messages, screening person-times, checkpoint
shifts and reports); centralised quarantine (F2) against home quarantine, paired by
seed; and the screening campaign's speed against the grid workers' hours and the cadres.

The rates behind messages, checkpoint shifts, routine reports (F11) and inspections (F9)
were derived from those very figures (scenarios/README.md), so their checks are of the
calibration, not independent evidence; the screening speed (F1) and the screening
person-days (F11) were not used to set any rate.

Every check runs fixed seeds, so the outcome is reproducible; the figures measured are
printed (``pytest -s tests/validation/test_response.py``) and quoted in
docs/validation.md. Runs are shared between tests (``functools.cache``) and spread over
two processes.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import numpy as np
from joblib import Parallel, delayed

import sim

RESIDENTS = 928_700  # FACTS F1: the default world is the district at 1:1 scale
CAMPAIGN_DAY = 6  # screening_campaign starts 2020-01-26, day 6 of huaian_2020
FACILITY_DAY = 12  # centralised_quarantine starts 2020-02-01, day 12
JOBS = 2

# F1, F9 and F11: the default scenario at full scale, all 120 days
DEFAULT_SEEDS = tuple(range(1, 11))
GRID_WORKERS = 1_291  # FACTS F11

# F1: everyone screened in two days
F1_DAYS = 2
F1_SHARE = 0.99  # "everyone": at least 99% of residents (screening_days_to_99pct)

# F11 and F9 totals whose rates were derived from them (calibrated), and the band the
# model must stay in on every seed
F11_CALIBRATED = {
    "messages_pushed": 368_200,  # information_push.hours_per_day
    "checkpoint_shifts_grid_workers": 18_450,  # checkpoints.road_shifts_per_grid
    "reports_filed": 17_200,  # grid_reporting.routine_per_grid
}
CALIBRATED_BAND = 0.15  # relative: within +-15% of the document's figure
F9_PROBLEMS = 800  # "800+ problems" found (and fixed) by inspections (lapse_rate)

# F11's screening person-times: not a calibration target, and the model gives ~57% of it
# (one round of the campaign; the document's figure probably counts more than one round
# or the later screening of returnees). Recorded, asserted only within a wide band: at
# least two screening days per grid worker (F1) and no more than the document's figure.
F11_SCREENING_PERSON_DAYS = 5_846
SCREENING_DAYS_BAND = (F1_DAYS * GRID_WORKERS, F11_SCREENING_PERSON_DAYS)

# F2: centralised against home quarantine, paired by seed, in the stress world of
# configs/experiment/counterfactuals_stress.yaml (100,000 residents, ten times the
# returnees, 6 times the fitted share of them infected, rooms scaled with the
# returnees); and the quarantine-capacity sweep of quarantine_capacity.yaml
STRESS_RESIDENTS = 100_000
STRESS = (
    f"population.residents={STRESS_RESIDENTS}",
    "population.returnees=30000",
    "disease.importation.prevalence=0.2",
)
STRESS_ROOMS = "quarantine.facility_rooms_factor=10"
STRESS_SEEDS = tuple(range(1, 11))
CAPACITIES = (0, 2000, 5000, 10000, 20000, 40000, 80000)  # rooms at full scale
CAPACITY_SEEDS = tuple(range(1, 7))
CAPACITY_NOISE = 1.0  # household infections: a larger room count may add at most this
# staffing: screening speed against grid-worker hours, with the cadres deployed from
# 24 Jan so that they take part in the campaign (in huaian_2020 they arrive on 3 Feb,
# after it); full scale, runs to the end of the campaign's fourth day
EARLY_CADRES = "+knobs.cadres_start=2020-01-24"
STAFF_SEEDS = (1, 2, 3, 4, 5)  # a subset of DEFAULT_SEEDS: paired with the default runs
STAFF_DAYS = CAMPAIGN_DAY + 4
GRID_WORKER_HOURS = (6, 8, 10, 12)
DEFAULT_HOURS = 10  # staff.grid_worker_hours of configs/staff/huaian.yaml
MIN_HOURS_GAIN = 0.03  # each +2 h a day screens >= 3 points more on day 1 (measured >= 6.4)
MIN_CADRE_GAIN = 0.10  # cadres screen >= 10 points more on day 1 at 10 h (measured >= 15.8)


def one_run(overrides: tuple[str, ...]) -> dict[str, Any]:
    """One run: the summary and the daily columns the checks need."""
    res = sim.run(sim.compose(["output.progress=never", *overrides]))
    ts = res.timeseries
    out = dict(res.summary)
    out["cum_screened_by_day"] = ts["cum_screened"].to_numpy()
    out["new_infections_by_day"] = ts["new_infections"].to_numpy()
    out["from_quarantine"] = int(ts["new_infections_from_quarantine"].sum())
    out["household_quarantined"] = int(ts["new_infections_household_quarantined"].sum())
    fac = ts["n_quarantined_facility"].to_numpy()
    out["facility_peak"] = int(fac.max())
    peak = int(fac.argmax())
    out["facility_peak_by_group"] = {
        g: int(ts[f"n_quarantined_facility_{g}"].iloc[peak])
        for g in ("household", "key_person", "named", "other")
    }
    if len(ts) > FACILITY_DAY:
        after = (fac + ts["n_quarantined_home"].to_numpy())[FACILITY_DAY:]
        out["quarantined_peak"] = int(after.max())
        out["home_after_opening"] = int(ts["n_quarantined_home"].to_numpy()[FACILITY_DAY:].max())
    return out


def run_all(jobs: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    return Parallel(n_jobs=JOBS)(delayed(one_run)(j) for j in jobs)


def screened_share(run: dict[str, Any], campaign_days: int) -> float:
    """Share of residents screened by the end of the campaign's ``campaign_days``-th day."""
    cum = run["cum_screened_by_day"]
    return float(cum[CAMPAIGN_DAY + campaign_days - 1]) / run["residents"]


def paired_ci(diff: np.ndarray) -> tuple[float, float]:
    """Mean paired difference and the half-width of its 95% interval (1.96 sd / sqrt n)."""
    return float(diff.mean()), float(1.96 * diff.std(ddof=1) / np.sqrt(diff.size))


@cache
def default_runs() -> dict[int, dict[str, Any]]:
    return dict(zip(DEFAULT_SEEDS, run_all([(f"seed={s}",) for s in DEFAULT_SEEDS]), strict=True))


@cache
def stress_runs() -> dict[tuple[str, int], dict[str, Any]]:
    keys = [(sc, s) for s in STRESS_SEEDS for sc in ("huaian_2020", "home_quarantine_only")]
    jobs = [(f"seed={s}", f"scenario={sc}", *STRESS, STRESS_ROOMS) for sc, s in keys]
    return dict(zip(keys, run_all(jobs), strict=True))


@cache
def capacity_runs() -> dict[tuple[int, int], dict[str, Any]]:
    keys = [(c, s) for c in CAPACITIES for s in CAPACITY_SEEDS]
    jobs = [(f"seed={s}", f"+knobs.facility_capacity={c}", *STRESS) for c, s in keys]
    return dict(zip(keys, run_all(jobs), strict=True))


@cache
def early_cadre_runs() -> dict[tuple[float, int], dict[str, Any]]:
    keys = [(h, s) for h in GRID_WORKER_HOURS for s in STAFF_SEEDS]
    jobs = [
        (f"seed={s}", f"staff.grid_worker_hours={h}", EARLY_CADRES, f"days={STAFF_DAYS}")
        for h, s in keys
    ]
    return dict(zip(keys, run_all(jobs), strict=True))


def test_everyone_is_screened_within_two_days_of_the_campaign() -> None:
    """F1: 928,700 residents screened door to door in 2 days (not a calibration target)."""
    runs = default_runs()
    shares = np.array([[screened_share(r, d) for d in (1, 2, 3)] for r in runs.values()])
    days99 = [r["screening_days_to_99pct"] for r in runs.values()]
    stats = zip(shares.mean(axis=0), shares.min(axis=0), shares.max(axis=0), strict=True)
    print(
        f"\nscreened after campaign day 1/2/3 (seeds {DEFAULT_SEEDS}): "
        + " / ".join(f"{m:.4f} [{lo:.4f}, {hi:.4f}]" for m, lo, hi in stats)
        + f"; days to 99%: {days99}"
    )
    for (seed, r), s in zip(runs.items(), shares, strict=True):
        assert r["residents"] == RESIDENTS
        assert s[F1_DAYS - 1] >= F1_SHARE, f"seed {seed}: {s[F1_DAYS - 1]:.4f} after 2 days"
        assert r["screening_days_to_99pct"] is not None
        assert r["screening_days_to_99pct"] <= F1_DAYS, f"seed {seed}"
        assert r["cum_screened"] == RESIDENTS  # one full round: every household in the end


def test_calibrated_grid_work_totals_match_the_document() -> None:
    """F11 totals within +-15% of the document's, F9 800+ problems: calibrated rates."""
    runs = list(default_runs().values())
    print()
    for key, fig in F11_CALIBRATED.items():
        v = np.array([r[key] for r in runs], dtype=float)
        print(
            f"{key}: {v.mean():,.0f} [{v.min():,.0f}, {v.max():,.0f}] "
            f"against {fig:,} ({v.mean() / fig - 1:+.1%})"
        )
    p = np.array([r["problems_fixed"] for r in runs])
    print(f"problems_fixed: {p.mean():.0f} [{p.min()}, {p.max()}] against {F9_PROBLEMS}+")
    for seed, r in default_runs().items():
        for key, fig in F11_CALIBRATED.items():
            assert abs(r[key] / fig - 1) <= CALIBRATED_BAND, f"seed {seed}: {key} = {r[key]}"
        assert r["problems_fixed"] >= F9_PROBLEMS, f"seed {seed}: {r['problems_fixed']}"


def test_screening_person_days_recorded_against_the_document() -> None:
    """F11's 5,846 screening person-times: a recorded check, asserted in a wide band only.

    The model's grid workers need ~3,400 screening days for one round (2-3 days each);
    the document's figure is ~1.7 times that. The band only says that each grid worker
    screened on at least two days (F1) and that one round is not more than the document
    counts. The cadres do not screen in huaian_2020: they arrive on 3 Feb, after the
    campaign.
    """
    runs = default_runs()
    v = np.array([r["screening_person_days"] for r in runs.values()], dtype=float)
    print(
        f"\nscreening_person_days (grid workers): {v.mean():,.0f} [{v.min():,.0f}, "
        f"{v.max():,.0f}] against {F11_SCREENING_PERSON_DAYS:,} "
        f"({v.mean() / F11_SCREENING_PERSON_DAYS - 1:+.1%}); not a calibration target"
    )
    lo, hi = SCREENING_DAYS_BAND
    for seed, r in runs.items():
        assert lo <= r["screening_person_days"] <= hi, f"seed {seed}"
        assert r["screening_person_days_cadres"] == 0, f"seed {seed}"
        assert r["grid_workers"] == GRID_WORKERS


def test_centralised_quarantine_cuts_household_infections_in_quarantine() -> None:
    """F2: from 1 Feb quarantined residents go to a facility instead of staying home.

    Paired by seed (home_quarantine_only minus huaian_2020) in the stress world: the
    household infections of or by residents in home quarantine (those sealed in with
    an infected contact) are more without the facility, the paired 95% interval above
    0; the pair is identical before the facility opens. All infections are printed,
    not asserted: by 1 Feb most household contacts have passed their infectious
    days, and the paired difference in all infections is within noise
    (docs/counterfactuals.md).
    """
    runs = stress_runs()
    pair = [(runs[("home_quarantine_only", s)], runs[("huaian_2020", s)]) for s in STRESS_SEEDS]
    home = np.array([h["household_quarantined"] for h, _ in pair])
    fac = np.array([f["household_quarantined"] for _, f in pair])
    inf_home = np.array([h["cum_infections"] for h, _ in pair])
    inf_fac = np.array([f["cum_infections"] for _, f in pair])
    d_q, h_q = paired_ci((home - fac).astype(float))
    d_i, h_i = paired_ci((inf_home - inf_fac).astype(float))
    peaks = [f["facility_peak"] for _, f in pair]
    print(
        f"\nstress, {STRESS_RESIDENTS:,} residents, seeds {STRESS_SEEDS[0]}-{STRESS_SEEDS[-1]}: "
        f"household infections in home quarantine {home.mean():.1f} (home only) vs "
        f"{fac.mean():.1f}, paired {d_q:+.1f} +- {h_q:.1f} "
        f"(+{(home > fac).sum()}/-{(home < fac).sum()}); "
        f"cum_infections {inf_home.mean():.1f} vs {inf_fac.mean():.1f}, "
        f"paired {d_i:+.1f} +- {h_i:.1f}; facility peak {np.mean(peaks):.0f}"
    )
    for s, (h, f) in zip(STRESS_SEEDS, pair, strict=True):
        assert f["cum_quarantined_facility"] > 0, f"seed {s}"
        assert h["cum_quarantined_facility"] == 0, f"seed {s}"
        same = h["new_infections_by_day"][:FACILITY_DAY], f["new_infections_by_day"][:FACILITY_DAY]
        assert np.array_equal(*same), f"seed {s}: the pair differs before 1 Feb"
    assert d_q - h_q > 0


def high_risk_share(run: dict[str, Any]) -> float:
    """Share of the facility at its peak held by household contacts and key persons."""
    g = run["facility_peak_by_group"]
    return (g["household"] + g["key_person"]) / max(run["facility_peak"], 1)


def test_facility_at_peak_holds_mostly_household_contacts_and_returnees() -> None:
    """Rooms go by risk: at its peak the facility holds mostly the two highest groups.

    In huaian_2020 at full scale (seeds 1-10) and in the stress world with the
    district's 2,000 rooms (full) at seeds 1-6: more than half of the residents in the
    facility on its fullest day are household contacts of confirmed cases or key
    persons (returnees from Hubei), on every seed.
    """
    default = [high_risk_share(r) for r in default_runs().values()]
    short = [high_risk_share(capacity_runs()[(2000, s)]) for s in CAPACITY_SEEDS]
    print(
        f"\nfacility at peak, household contacts and key persons: huaian_2020 "
        f"{min(default):.0%}-{max(default):.0%}; stress with 2,000 rooms "
        f"{min(short):.0%}-{max(short):.0%}"
    )
    assert all(r["facility_peak"] > 0 for r in default_runs().values())
    assert min(default) > 0.5
    assert min(short) > 0.5


def test_household_infections_in_quarantine_fall_with_rooms_until_everyone_has_one() -> None:
    """The quarantine-capacity sweep: a dose-response, then flat.

    In the stress world at rooms from none to twice what every quarantined resident
    needs: household infections of or by residents in home quarantine (mean over
    seeds) never rise by more than noise as rooms grow, fall from none to enough (seed
    by seed, the paired 95% interval above 0), and are the same once nobody waits at
    home after the facility opens.
    """
    runs = capacity_runs()
    mean = {
        c: float(np.mean([runs[(c, s)]["household_quarantined"] for s in CAPACITY_SEEDS]))
        for c in CAPACITIES
    }
    need = max(runs[(CAPACITIES[-1], s)]["quarantined_peak"] for s in CAPACITY_SEEDS)
    infections = {
        c: float(np.mean([runs[(c, s)]["cum_infections"] for s in CAPACITY_SEEDS]))
        for c in CAPACITIES
    }
    print(
        "\nrooms (full scale): household infections in home quarantine / all infections: "
        + ", ".join(f"{c}: {mean[c]:.1f} / {infections[c]:.0f}" for c in CAPACITIES)
        + f"; peak quarantined after 1 Feb {need} (at {STRESS_RESIDENTS:,})"
    )
    values = [mean[c] for c in CAPACITIES]
    assert all(b <= a + CAPACITY_NOISE for a, b in itertools.pairwise(values))
    # from none to the most rooms: fewer on no seed more, and the paired interval above 0
    fewer = np.array(
        [
            runs[(CAPACITIES[0], s)]["household_quarantined"]
            - runs[(CAPACITIES[-1], s)]["household_quarantined"]
            for s in CAPACITY_SEEDS
        ],
        dtype=float,
    )
    d, h = paired_ci(fewer)
    print(f"none - {CAPACITIES[-1]} rooms: {d:+.2f} +- {h:.2f}")
    assert fewer.min() >= 0 and d - h > 0
    enough = [
        c
        for c in CAPACITIES
        if all(runs[(c, s)]["home_after_opening"] == 0 for s in CAPACITY_SEEDS)
    ]
    assert enough, "no room count houses everyone"
    assert enough[0] > CAPACITIES[1]  # the district's 2,000 rooms are not enough here
    flat = [mean[c] for c in enough]
    assert max(flat) - min(flat) <= CAPACITY_NOISE


def test_more_grid_worker_hours_screen_more_on_the_first_day() -> None:
    """6 -> 8 -> 10 -> 12 h a day: more screened after day 1, seed by seed (paired)."""
    runs = early_cadre_runs()
    print()
    for h in GRID_WORKER_HOURS:
        d1 = np.array([screened_share(runs[(h, s)], 1) for s in STAFF_SEEDS])
        d99 = sorted({runs[(h, s)]["screening_days_to_99pct"] for s in STAFF_SEEDS})
        print(f"{h} h a day, cadres from 24 Jan: {d1.mean():.4f} after day 1; 99% in {d99} d")
    for s in STAFF_SEEDS:
        d1 = [screened_share(runs[(h, s)], 1) for h in GRID_WORKER_HOURS]
        assert np.all(np.diff(d1) >= MIN_HOURS_GAIN), f"seed {s}: {d1}"
        d99 = [runs[(h, s)]["screening_days_to_99pct"] for h in GRID_WORKER_HOURS]
        assert None not in d99 and np.all(np.diff(d99) <= 0), f"seed {s}: {d99}"


def test_cadres_speed_up_screening_when_deployed_for_it() -> None:
    """Cadres deployed from 24 Jan (F8) against huaian_2020 (from 3 Feb), 10 h, paired."""
    early = early_cadre_runs()
    default = default_runs()
    with_c = np.array([screened_share(early[(DEFAULT_HOURS, s)], 1) for s in STAFF_SEEDS])
    without = np.array([screened_share(default[s], 1) for s in STAFF_SEEDS])
    print(
        f"\nafter day 1 at {DEFAULT_HOURS} h: {without.mean():.4f} with cadres from 3 Feb, "
        f"{with_c.mean():.4f} with cadres from 24 Jan"
    )
    for s in STAFF_SEEDS:
        e, d = early[(DEFAULT_HOURS, s)], default[s]
        assert e["cadres"] == d["cadres"] == 957
        assert e["screening_person_days_cadres"] > 0
        assert d["screening_person_days_cadres"] == 0
        assert screened_share(e, 1) - screened_share(d, 1) >= MIN_CADRE_GAIN, f"seed {s}"
        assert screened_share(e, 2) > screened_share(d, 2), f"seed {s}"
        assert e["screening_days_to_99pct"] <= d["screening_days_to_99pct"], f"seed {s}"
