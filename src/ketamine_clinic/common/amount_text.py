"""An amount written as text ("35.5"): the regular expression of every plain decimal within a
range, with at most so many decimal places. The API's schema gives it to clients and the API
holds text to it, so what the schema allows and what the API takes are the same (a JSON
number is checked against the bounds as usual).

Plain means digits, an optional point and 1 to `places` decimals, no sign, exponent, spaces
or leading zeros ("0.5" and "35.50" are amounts; "035", "1e2" and " 5" are not). The range is
exact: for each count of decimals k, the values are the integers N/10^k with N in bounds, so
the expression is the union of integer ranges written k digits from the right, each range
split by its number of digits into the classic digit-by-digit alternatives.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cache


@cache
def pattern(
    low: Decimal, low_open: bool, high: Decimal, high_open: bool, places: int
) -> str:  # fmt: skip
    """`^...$` for every plain decimal x with low < x (or <=) and x < high (or <=), written
    with 0 to `places` decimals. `low` is at least 0: amounts here are never negative."""
    if low < 0:
        raise ValueError("an amount's text range starts at 0 or above")
    branches: list[str] = []
    for k in range(places + 1):
        scale = Decimal(10) ** k
        # The integers N whose N/10^k is in range: above low (or from it), below high (or to it).
        if low_open:
            a = int((low * scale).to_integral_value(ROUND_FLOOR)) + 1
        else:
            a = int((low * scale).to_integral_value(ROUND_CEILING))
        if high_open:
            b = int((high * scale).to_integral_value(ROUND_CEILING)) - 1
        else:
            b = int((high * scale).to_integral_value(ROUND_FLOOR))
        if a > b:
            continue
        narrowest = k + 1  # "0.05" is N = 5 written in k + 1 digits
        for width in range(narrowest, len(str(b)) + 1):
            lo = max(a, 10 ** (width - 1) if width > narrowest else 0)
            hi = min(b, 10**width - 1)
            if lo > hi:
                continue
            for classes in _fixed(str(lo).zfill(width), str(hi).zfill(width)):
                if k:
                    classes = [*classes[: width - k], r"\.", *classes[width - k :]]
                branches.append(_squeeze(classes))
    if not branches:
        raise ValueError(f"no amount lies between {low} and {high}")
    return f"^(?:{'|'.join(branches)})$"


def _fixed(lo: str, hi: str) -> list[list[str]]:
    """Every string of this width from lo to hi (digit strings, lo <= hi), as alternatives of
    one character class per position."""
    if not lo:
        return [[]]
    rest = len(lo) - 1
    if lo[0] == hi[0]:
        return [[lo[0], *tail] for tail in _fixed(lo[1:], hi[1:])]
    found: list[list[str]] = []
    start, end = int(lo[0]), int(hi[0])
    if lo[1:] != "0" * rest:  # lo's own first digit, then from lo's tail up
        found += [[lo[0], *tail] for tail in _fixed(lo[1:], "9" * rest)]
        start += 1
    tail_high = hi[1:] == "9" * rest
    middle_end = end if tail_high else end - 1
    if start <= middle_end:  # every tail under the first digits between
        found.append([_digits(start, middle_end), *[r"\d"] * rest])
    if not tail_high:  # hi's own first digit, then up to hi's tail
        found += [[hi[0], *tail] for tail in _fixed("0" * rest, hi[1:])]
    return found


def _digits(start: int, end: int) -> str:
    if start == end:
        return str(start)
    return r"\d" if (start, end) == (0, 9) else f"[{start}-{end}]"


def _squeeze(classes: list[str]) -> str:
    r"""`\d\d\d` as `\d{3}`."""
    out: list[str] = []
    count = 0
    for item in [*classes, ""]:
        if item == r"\d":
            count += 1
            continue
        if count:
            out.append(r"\d" if count == 1 else rf"\d{{{count}}}")
            count = 0
        out.append(item)
    return "".join(out)
