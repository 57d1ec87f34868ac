"""Derive daily confirmed cases of Huai'an District from the Huai'an city series.

Reads ``huaian_city_confirmed_2020.csv`` (next to this script) and writes two files
with columns ``date,new_confirmed``:

- ``huaian_district_confirmed_2020.csv`` (the series the default world is fitted to):
  ``city new_confirmed(d) * CASE_SHARE``, the district's share of the city's cases in
  the city bulletins (43 of 65 by 16 Feb 2020);
- ``huaian_district_expected_confirmed.csv``: ``city new_confirmed(d) * SHARE``, the
  district's share of the city's residents (what the city's per-capita rate would give).

for every day from START to END (inclusive). Days missing from the city file
count as 0 new cases. Values are floats written with 4 decimals.

SHARE is the district's share of the city's permanent (usual) residents in the
7th national census (reference time 2020-11-01 00:00). It scales the city
series by population only; it does NOT reflect where the cases actually were.
The Huai'an city bulletins put 43 of the city's 65 cases (16 Feb 2020) in
Huai'an District, so this derived series understates the district's observed
count by a factor of about 3.8 (see README.md, "District share").

Standard library only. Run:  python3 data/derive_district.py
"""

import csv
import datetime as dt
from pathlib import Path

# Huai'an District (淮安区, code 320803) permanent residents, 7th census 2020.
# Source: leiii/census, data/census/census_county_2020_v1.xlsx (row 320803),
# commit 0ba0f1efae092f4aa6569ef38e53b3bb4d2f0087, compiled from the local
# 7th-census bulletins / yearbook; the same figure (785272, "占淮安市的17.24%")
# is quoted at https://dfzf.gjfs.com.cn/kj/202206/0618277995.html
DISTRICT_POP = 785_272

# Huai'an city (淮安市, code 320800) permanent residents, 7th census 2020.
# Source: same file (row 320800) and leiii/census census_city_2010-2020_v1.csv;
# the sum of the city's eight county-level units in that file is also 4556230.
# Also quoted (4556230, 5.38% of Jiangsu) at
# https://11.wendadaohang.com/zd/MS2M872MS7FP2qvPFP.html
CITY_POP = 4_556_230

SHARE = DISTRICT_POP / CITY_POP  # 0.172351...

# Huai'an District's cases among the city's: 43 of 65 by 16 Feb 2020 (29 of 47 by 11 Feb),
# Huai'an city bulletins of 11 and 16 Feb 2020 (see README.md, "District share"). No daily
# district series was published; the city's daily counts times this share spread the
# district's total over the city's days.
CASE_SHARE = 43 / 65  # 0.6615...

START = dt.date(2020, 1, 20)
END = dt.date(2020, 2, 29)

HERE = Path(__file__).resolve().parent
CITY_CSV = HERE / "huaian_city_confirmed_2020.csv"
OUT_CSV = HERE / "huaian_district_expected_confirmed.csv"
CASES_CSV = HERE / "huaian_district_confirmed_2020.csv"


def read_city_new(path: Path) -> dict[dt.date, int]:
    """Return {date: new_confirmed} from the city CSV."""
    with open(path, newline="", encoding="utf-8") as f:
        return {
            dt.date.fromisoformat(row["date"]): int(row["new_confirmed"])
            for row in csv.DictReader(f)
        }


def derive(
    city_new: dict[dt.date, int],
    share: float = SHARE,
    start: dt.date = START,
    end: dt.date = END,
) -> list[tuple[dt.date, float]]:
    """Return [(date, expected district new cases)] for start..end inclusive."""
    rows = []
    day = start
    while day <= end:
        rows.append((day, city_new.get(day, 0) * share))
        day += dt.timedelta(days=1)
    return rows


def write(rows: list[tuple[dt.date, float]], path: Path) -> None:
    """Write the derived rows as ``date,new_confirmed`` with 4 decimals."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["date", "new_confirmed"])
        for day, value in rows:
            writer.writerow([day.isoformat(), f"{value:.4f}"])


if __name__ == "__main__":
    city = read_city_new(CITY_CSV)
    for share, out in ((CASE_SHARE, CASES_CSV), (SHARE, OUT_CSV)):
        derived = derive(city, share)
        write(derived, out)
        total = sum(value for _, value in derived)
        print(f"share={share:.6f} days={len(derived)} total={total:.4f} -> {out.name}")
