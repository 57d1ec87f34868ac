"""Figures as readers read them: money in their units, counts without stray signs."""

from __future__ import annotations

import math

import pytest

from analysis.numbers import money_text, number_text


@pytest.mark.parametrize(
    ("amount", "en", "zh"),
    [
        (1_397_424_302, "1,397 million CNY", "14亿元"),
        (23_500, "23.5 thousand CNY", "2.35万元"),
        (950, "950 CNY", "950元"),
        (-2_500_000, "-2.5 million CNY", "-250万元"),
        (123_456_789_000, "123,457 million CNY", "1,235亿元"),
        (-0.0, "0 CNY", "0元"),
        (None, "–", "–"),
        (math.nan, "–", "–"),
    ],
)
def test_money_in_thousands_or_millions_of_cny_or_in_wan_and_yi(amount, en, zh):
    assert money_text(amount) == en
    assert money_text(amount, "zh") == zh


def test_money_without_the_currency_and_bad_language():
    assert money_text(1_397_424_302, currency=False) == "1,397 million"
    assert money_text(23_500, "zh", currency=False) == "2.35万"
    with pytest.raises(ValueError, match="language must be one of"):
        money_text(1, "fr")


def test_counts_have_separators_and_no_negative_zero():
    assert number_text(1_397_424_302) == "1,397,424,302"
    assert number_text(-0.0) == "0" and number_text(0.6667) == "0.667"
    assert number_text(None) == "–" and number_text(math.inf) == "∞"
