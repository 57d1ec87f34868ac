"""Measures from the infection records: clusters of confirmed cases."""

from __future__ import annotations

import numpy as np

from sim.epidemic.disease import EpiState
from sim.epidemic.epidemiology import HOUSEHOLD_LAYER, clusters

COMMUNITY = 1


def records(links: list[tuple[int, int, int, bool]], n: int = 12) -> EpiState:
    """An EpiState with the given (infectee, infector, layer, confirmed) links."""
    e = EpiState.empty(n, np.ones(n))
    for infectee, infector, layer, confirmed in links:
        e.infector[infectee] = infector
        e.layer[infectee] = layer
        e.confirmed_day[infectee] = 5 if confirmed else -1
    return e


def test_clusters_are_confirmed_cases_with_the_confirmed_cases_they_infected() -> None:
    e = records(
        [
            (0, -2, -2, True),  # imported index: 2 of 4 infections at home -> household
            (1, 0, HOUSEHOLD_LAYER, True),
            (2, 0, HOUSEHOLD_LAYER, True),
            (3, 0, COMMUNITY, True),
            (4, 0, HOUSEHOLD_LAYER, False),  # unconfirmed: not a cluster member
            (5, -2, -2, True),  # imported index: one at home, one outside -> household (tie)
            (6, 5, HOUSEHOLD_LAYER, True),
            (7, 5, COMMUNITY, True),
            (8, 3, COMMUNITY, True),  # a second generation joins 0's cluster
            (9, -2, -2, False),  # unconfirmed index: its confirmed cases start a cluster
            (10, 9, COMMUNITY, True),
            (12, 10, COMMUNITY, True),
            (13, 12, HOUSEHOLD_LAYER, True),  # 10-12-13: one of two at home -> household
            (11, -2, -2, True),  # a confirmed case who infected nobody: no cluster
            (14, 11, COMMUNITY, False),
            (15, -2, -2, True),  # two outside and one at home -> community
            (16, 15, COMMUNITY, True),
            (17, 16, COMMUNITY, True),
            (18, 17, HOUSEHOLD_LAYER, True),
        ],
        n=20,
    )
    c = clusters(e)
    assert c["clusters"] == 4
    assert c["cluster_cases"] == 15
    assert c["household_cluster_share"] == 0.75
    # cases: 5 (0, 1, 2, 3, 8), 3 and 3 in the household clusters, 4 in the other
    assert c["household_cluster_case_share"] == round(11 / 15, 4)


def test_no_clusters_gives_none() -> None:
    c = clusters(records([(0, -2, -2, True), (1, 0, HOUSEHOLD_LAYER, False)]))
    assert c == {
        "clusters": 0,
        "cluster_cases": 0,
        "household_cluster_share": None,
        "household_cluster_case_share": None,
    }
