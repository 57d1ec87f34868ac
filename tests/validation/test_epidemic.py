"""The epidemic against the evidence: emergent intervals, shares, growth, Rt, case structure.

Nothing here was fitted: the generation interval's shape, the incubation period, R0 and
the household attack rate come from the literature (configs/disease, configs/contacts),
and the figures below emerge from them in the model's own infection records. The figures
measured are printed (``pytest -s``) and quoted in docs/validation.md.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import sim
from sim.epidemic.disease import State
from sim.epidemic.epidemiology import HOUSEHOLD_LAYER

pytestmark = pytest.mark.slow


@cache
def no_intervention(seed: int) -> sim.RunResult:
    """The default district at full scale with no measures (about 7 s)."""
    return sim.run(
        sim.compose(["scenario=no_intervention", f"seed={seed}", "output.progress=never"])
    )


@cache
def huaian(seed: int) -> sim.RunResult:
    """The default scenario at full scale, 60 days (the epidemic is over by then)."""
    return sim.run(sim.compose([f"seed={seed}", "days=60", "output.progress=never"]))


@pytest.mark.parametrize("seed", [1, 2])
def test_no_intervention_intervals_shares_and_growth_emerge_as_measured(seed: int) -> None:
    s = no_intervention(seed).summary
    print(
        f"\nno_intervention seed {seed}: GI {s['generation_interval_mean_days']} d, "
        f"SI {s['serial_interval_mean_days']} d, presymptomatic "
        f"{s['presymptomatic_transmission_share']}, doubling {s['early_doubling_time_days']} d "
        f"({s['transmission_pairs']} pairs)"
    )
    assert s["transmission_pairs"] > 5000
    # Ferretti et al. 2020 5.0 d; Ganyani et al. 2020 5.2 d; Hu et al. 2021 and Lau et al.
    # 2021 5.7 d
    assert 4.5 <= s["generation_interval_mean_days"] <= 6.5
    # Du et al. 2020 3.96 d; Bi et al. 2020 6.3 d; Shi et al. 2020 (Wuxi) 6.31 d
    assert 4.0 <= s["serial_interval_mean_days"] <= 7.0
    # He et al. 2020 44% (Ashcroft et al. 2020's correction: about 45%); Ferretti et al.
    # 2020 46%; before China's measures 34% (Bushman et al., Eur J Epidemiol 2021). Here
    # the illness is unknown: a quarter of the ill stay home (mobility.sick_stay_home_prob)
    assert 0.30 <= s["presymptomatic_transmission_share"] <= 0.55
    # Li et al. 2020 7.4 d (Wuhan); 4-8 d the spread of early estimates (2.3-3.3 d:
    # Sanche et al., EID 2020, from travel data)
    assert 4.0 <= s["early_doubling_time_days"] <= 8.0


def cohort_rt(results: list[sim.RunResult], first: int, last: int) -> tuple[float, int]:
    """Secondary infections per infection of the residents infected on days first..last."""
    sec = n = 0
    for r in results:
        e = r.model.epi
        cohort = (e.infected_day >= first) & (e.infected_day <= last) & (e.state != State.S)
        sec += int(e.n_secondary[cohort].sum())
        n += int(np.count_nonzero(cohort))
    return sec / max(n, 1), n


def test_rt_above_one_and_a_half_without_measures() -> None:
    rt, n = cohort_rt([no_intervention(1), no_intervention(2)], 0, 27)
    ts = no_intervention(1).timeseries
    print(f"\nno_intervention: Rt of the cohorts of days 0-27 {rt:.2f} ({n} infections)")
    assert rt > 1.5
    assert ts["rt_complete"].iloc[0] and not ts["rt_complete"].iloc[-1]


HUAIAN_SEEDS = range(1, 9)


def test_rt_falls_under_the_response() -> None:
    """Cohort Rt before the response, once screening is done, and with every measure.

    The district's chains end within three weeks of the level-1 response (the last
    local infection falls by 7 Feb on every seed), so the cohorts are taken from the
    end of the door-to-door screening (28 Jan, day 8) and from the opening of the
    facility and the tests in quarantine (1 Feb, day 12), each to day 40; each must
    hold infections, or the check says nothing.
    """
    runs = [huaian(s) for s in HUAIAN_SEEDS]
    before, n0 = cohort_rt(runs, 0, 3)  # before the level-1 response of 24 Jan (day 4)
    screened, n1 = cohort_rt(runs, 8, 40)  # from the end of the screening campaign
    all_in, n2 = cohort_rt(runs, 12, 40)  # every measure in force from 1 Feb (day 12)
    print(
        f"\nhuaian_2020, seeds 1-8 pooled: Rt before the response {before:.2f} ({n0}), "
        f"from 28 Jan {screened:.2f} ({n1}), from 1 Feb {all_in:.2f} ({n2})"
    )
    assert n1 >= 40 and n2 >= 10
    assert screened < 1.0
    # Pan et al., JAMA 2020: Wuhan's Rt fell to about 0.3 under the full package
    assert all_in < 0.6


def test_importation_arrives_with_infections_acquired_before() -> None:
    for seed in HUAIAN_SEEDS:
        r = huaian(seed)
        m, ev = r.model, r.events
        imp = ev[ev["action"] == "import"]
        idx = imp["target"].to_numpy()
        resp = m.response.cases
        arrival = dict(zip(resp.returnees.tolist(), resp.returnee_day.tolist(), strict=True))
        # every import is a returnee arriving that day (or on day 0 if before the run)
        assert all(max(arrival[i], 0) == d for i, d in zip(idx, imp["day"], strict=True))
        # infected before (or on) the day of arrival, never after
        assert np.all(m.epi.infected_day[idx] <= np.array([arrival[i] for i in idx]))
        assert np.all(m.epi.infector[idx] == -2)
    onsets = np.concatenate(
        [
            huaian(s).model.epi.onset_day[huaian(s).events.query("action == 'import'")["target"]]
            - huaian(s).events.query("action == 'import'")["day"].to_numpy()
            for s in HUAIAN_SEEDS
        ]
    )
    ill = np.count_nonzero(onsets[onsets >= -60] < 0)
    print(f"\nimports: {onsets.size}, {ill} already ill on arrival")
    assert 0 < ill < onsets.size  # some arrive ill, most presymptomatic or asymptomatic


def test_case_structure_imported_share_falls_and_traced_cases_are_found_sooner() -> None:
    runs = [huaian(s) for s in HUAIAN_SEEDS]
    conf = sum(r.timeseries["new_confirmed"].to_numpy() for r in runs)
    imp = sum(r.timeseries["new_confirmed_imported"].to_numpy() for r in runs)
    early = imp[:4].sum() / conf[:4].sum()  # 20-23 Jan
    feb = imp[11:25].sum() / max(conf[11:25].sum(), 1)  # 31 Jan - 13 Feb
    traced = [r.summary["onset_to_confirmation_mean_days"] for r in runs]
    print(
        f"\nhuaian_2020 seeds 1-8: imported share of confirmed {early:.2f} (20-23 Jan), "
        f"{imp[4:11].sum() / conf[4:11].sum():.2f} (24-30 Jan), {feb:.2f} (31 Jan-13 Feb); "
        f"onset to confirmation {traced}"
    )
    # Wang et al. 2020 (Jiangsu): all Hubei-linked at first, 58.8% by 31 Jan, then less
    assert early >= 0.9
    assert feb <= 0.6
    # Ai et al. 2021 (Jiangsu): secondary cases reported sooner after onset than index cases
    t = [x["traced"] for x in traced if x["traced"] is not None]
    u = [x["not_traced"] for x in traced if x["not_traced"] is not None]
    assert len(t) >= 4 and np.mean(t) < np.mean(u)


def test_most_cases_in_clusters_are_in_household_clusters() -> None:
    """Ai et al. 2021: 79.85% of Jiangsu's 134 clusters were household clusters.

    Documented gap: about two in three of the model's clusters are household clusters
    (the four days before the response carry community and market infections by
    returnees); asserted is what the issue asks, most cases in household clusters.
    """
    s = [huaian(seed).summary for seed in HUAIAN_SEEDS]
    n = sum(x["clusters"] for x in s)
    hh = sum(x["clusters"] * x["household_cluster_share"] for x in s if x["clusters"])
    cases = sum(x["cluster_cases"] for x in s)
    in_hh = sum(x["cluster_cases"] * x["household_cluster_case_share"] for x in s if x["clusters"])
    print(
        f"\nhuaian_2020 seeds 1-8: {n} clusters of {cases} cases; household clusters "
        f"{hh / n:.2f}, holding {in_hh / cases:.2f} of the cases"
    )
    assert n >= 40
    assert hh / n > 0.5
    assert in_hh / cases > 0.5


def test_local_transmission_under_the_response_is_at_home() -> None:
    """Under the response local infections are at home (Sun et al., Science 2021, Hunan)."""
    runs = [huaian(s) for s in HUAIAN_SEEDS]
    home = {True: 0, False: 0}
    n = {True: 0, False: 0}
    for r in runs:
        e = r.model.epi
        local = np.flatnonzero(e.infector >= 0)
        after = e.infected_day[local] >= 4  # from the level-1 response of 24 Jan
        at_home = e.layer[local] == HOUSEHOLD_LAYER
        for k in (True, False):
            n[k] += int(np.count_nonzero(after == k))
            home[k] += int(np.count_nonzero(at_home & (after == k)))
    share = {k: home[k] / max(n[k], 1) for k in n}
    print(
        f"\nhuaian_2020 seeds 1-8: local infections at home {share[True]:.2f} from 24 Jan "
        f"({n[True]}), {share[False]:.2f} before ({n[False]})"
    )
    assert n[True] >= 50
    assert share[True] >= 0.75


# the heavier importation of counterfactuals_stress, at 200,000 residents: enough
# households with a symptomatic primary case for a sharp attack rate
STRESS = ("population.residents=200000", "population.returnees=30000")
STRESS_PREVALENCE = "disease.importation.prevalence=0.2"


STRESS_SAR_SEEDS = tuple(range(1, 8))  # enough seeds for more than 3,000 household contacts


def test_household_attack_rate_of_symptomatic_index_cases_as_measured() -> None:
    secondary = contacts = 0
    for seed in STRESS_SAR_SEEDS:
        s = sim.run(
            sim.compose(
                [*STRESS, STRESS_PREVALENCE, f"seed={seed}", "days=70", "output.progress=never"]
            )
        ).summary
        secondary += s["household_sar_symptomatic_index"] * s["household_sar_contacts"]
        contacts += s["household_sar_contacts"]
    default = [huaian(s).summary for s in HUAIAN_SEEDS]
    d_sec = sum(x["household_sar_symptomatic_index"] * x["household_sar_contacts"] for x in default)
    d_con = sum(x["household_sar_contacts"] for x in default)
    sar = secondary / contacts
    print(
        f"\nhuaian_2020 household SAR, symptomatic primary cases: {sar:.3f} "
        f"({contacts:.0f} contacts; stress, 200,000 residents, seeds 1-7); default world "
        f"{d_sec / d_con:.3f} ({d_con} contacts, seeds 1-8)"
    )
    # Bi et al. 2020 11.2% (Shenzhen); Li F et al. 2021 15.6% (Wuhan); Madewell et al.
    # 2020 18.0% (symptomatic index cases)
    assert contacts > 3000
    assert 0.11 <= sar <= 0.18
