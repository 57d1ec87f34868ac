"""Relief cost-effectiveness on constructed summaries with known answers."""

import math

import pandas as pd
import pytest

from analysis.relief import firms_saved_per_million_cny, paired_relief


def summary(seed, failed, cost, residents=1000):
    return {"seed": seed, "residents": residents, "firms_failed": failed, "fiscal_cost_cny": cost}


def test_firms_saved_per_million():
    assert firms_saved_per_million_cny(summary(1, 80, 4e6), summary(1, 100, 0)) == 5.0
    assert math.isnan(firms_saved_per_million_cny(summary(1, 80, 0), summary(1, 100, 0)))
    with pytest.raises(ValueError, match="seed"):
        firms_saved_per_million_cny(summary(1, 80, 4e6), summary(2, 100, 0))


def test_paired_relief_pairs_by_seed():
    rows = [
        {"scenario": "no_relief", "seed": s, "firms_failed": f, "fiscal_cost_cny": 0.0}
        for s, f in [(1, 100), (2, 120), (3, 90)]
    ]
    # saves exactly 10, 20, 30 firms on seeds 1-3 at 2 M CNY each; seed 4 has no pair
    rows += [
        {"scenario": "pkg", "seed": s, "firms_failed": f, "fiscal_cost_cny": 2e6}
        for s, f in [(1, 90), (2, 100), (3, 60), (4, 0)]
    ]
    t = paired_relief(pd.DataFrame(rows)).set_index("scenario")
    assert t.loc["pkg", "seeds"] == 3
    assert t.loc["pkg", "firms_saved"] == pytest.approx(20.0)
    assert t.loc["pkg", "firms_saved_ci95"] == pytest.approx(1.96 * 10.0 / 3**0.5)
    assert t.loc["pkg", "firms_saved_per_million_cny"] == pytest.approx(10.0)
    with pytest.raises(ValueError, match="baseline"):
        paired_relief(pd.DataFrame(rows), baseline="nothing")
