"""Invented surnames for synthetic patients, as varied and as unevenly shared as real ones.

Search is only measured honestly on names like a clinic's: thousands of distinct surnames, a
few of them common. Every patient named "Patient<number>" shares most trigrams with every
other, which tests a worst case no clinic has. The names are built from syllables, so none is
taken from a real register; given names stay "Synthetic" so no record passes for a person.
"""

from __future__ import annotations

import random
from functools import cache
from itertools import accumulate, product

_STARTS = ("B", "C", "D", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T", "V",
           "W", "Y", "Z", "Br", "Ch", "Cl", "Dr", "Fl", "Gr", "Kr", "Pr", "Sh", "St", "Th", "Tr",
           "Al", "Ed", "Or", "El", "Ab", "Ib", "Os", "Ul", "Am")  # fmt: skip
_MIDDLES = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "ar", "er", "or", "an", "en", "in",
            "on", "al", "el", "il", "ol", "ur")  # fmt: skip
_ENDS = ("son", "ton", "ley", "man", "ner", "ez", "ski", "ard", "well", "rick", "ford", "berg",
         "wood", "ova", "elli", "ado", "ani", "stein", "ins", "ett", "hart", "dale", "more",
         "ak", "ic", "ian", "opoulos", "sen", "vic", "da")  # fmt: skip
# Zipf-like shares, the long-tailed shape of real surname counts: the n-th commonest name is
# drawn in proportion to 1/(n + 30), so the commonest is about 0.6% of patients and the 1,000
# commonest about half.
_OFFSET = 30
_ORDER_SEED = 30  # which invented names are the common ones: fixed, so every network agrees


@cache
def _names() -> tuple[list[str], list[float]]:
    names = sorted({a + b + c for a, b, c in product(_STARTS, _MIDDLES, _ENDS)})
    random.Random(_ORDER_SEED).shuffle(names)  # noqa: S311  # synthetic data, not security
    weights = accumulate(1 / (rank + _OFFSET) for rank in range(len(names)))
    return names, list(weights)


def surnames(rng: random.Random, count: int) -> list[str]:
    """`count` surnames drawn with realistic repetition."""
    names, cumulative = _names()
    return rng.choices(names, cum_weights=cumulative, k=count)
