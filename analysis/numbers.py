"""How figures are written for readers: counts, money in the reader's units, shares."""

from __future__ import annotations

import math

# money: (at least this many CNY, divide by, scale word) from the largest, per language
MONEY_UNITS = {
    "en": ((1e6, 1e6, " million"), (1e3, 1e3, " thousand"), (0.0, 1.0, "")),
    "zh": ((1e8, 1e8, "亿"), (1e4, 1e4, "万"), (0.0, 1.0, "")),
}
CURRENCY = {"en": " CNY", "zh": "元"}
LANGUAGES = tuple(MONEY_UNITS)


def figure(x: object) -> float | str:
    """``x`` as a number, or the text a table shows instead ("–" for NaN, ``x`` as text)."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    return "–" if math.isnan(v) else v


def number_text(x: object) -> str:
    """A figure as text: thousands separated; 3 significant digits below 1000."""
    if x is None or isinstance(x, bool):
        return "–" if x is None else str(x)
    v = figure(x)
    if isinstance(v, str):
        return v
    if v == 0:
        v = 0.0  # no "-0"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if abs(v) >= 999.5 or v.is_integer():
        return f"{v:,.0f}"
    return f"{v:.3g}"


def money_text(x: object, language: str = "en", currency: bool = True) -> str:
    """An amount of CNY in the reader's units: thousand or million CNY, or 万元 and 亿元.

    Three significant digits below a thousand of the unit (``1,397,424,302`` ->
    ``1,397 million CNY`` / ``14亿元``; ``23,500`` -> ``23.5 thousand CNY`` /
    ``2.35万元``).

    Args:
        x: The amount (CNY); None or NaN gives "–".
        language: ``en`` or ``zh``.
        currency: Whether to name the currency (False where a column says CNY).

    Raises:
        ValueError: An unknown language.
    """
    if language not in MONEY_UNITS:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, got {language!r}")
    v = figure(x)
    if isinstance(v, str):
        return "–" if x is None else v
    for least, div, scale in MONEY_UNITS[language]:
        if abs(v) >= least:
            scaled = v / div + 0.0  # + 0.0: no "-0"
            text = f"{scaled:,.0f}" if abs(scaled) >= 999.5 else f"{scaled:.3g}"
            return text + scale + (CURRENCY[language] if currency else "")
    raise AssertionError("unreachable: the last unit takes every amount")
