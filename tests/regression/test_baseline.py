"""Fixed-seed results must not change unless meant to (update: `make baseline`)."""

import json

import pytest

from tests.regression.cases import BASELINE, CASES, figures

EXPECTED = json.loads(BASELINE.read_text())


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixed_seed_results_are_unchanged(name):
    got = figures(name)
    want = EXPECTED[name]
    for key in want:
        if key != "timeseries":
            assert got[key] == want[key], f"{name}: {key} changed; run `make baseline` if intended"
    for col, values in want["timeseries"].items():
        assert got["timeseries"][col] == values, (
            f"{name}: {col} changed; `make baseline` if intended"
        )
