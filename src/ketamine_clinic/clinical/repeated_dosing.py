"""Safety of repeated dosing: what is asked again while a course goes on, how often, and why.

Urinary tract and bladder: the Spravato US label (5.9, Ulcerative or Interstitial Cystitis)
reports cystitis with long-term off-label use or misuse of ketamine and more lower urinary
tract symptoms with esketamine than placebo, and says to monitor for urinary tract and
bladder symptoms during the course of treatment and refer as clinically warranted. "During
the course" is taken as at every dosing session, for racemic ketamine too (the label's
reports are of ketamine).

Liver: repeated or continuous medical ketamine is associated with hepatobiliary injury,
mostly cholestatic (LiverTox, NIDDK, "Ketamine", 2018; Cotter S et al., Drug Saf
2021;44:1365-74, an FDA case series). Neither gives a testing interval, and no label or
guideline found does; the chart shows the doses given and the prescriber decides when to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

URINARY_SOURCE = "Spravato US label 5.9 (ulcerative or interstitial cystitis)"
LIVER_SOURCE = "LiverTox (NIDDK), Ketamine; Cotter 2021, Drug Saf 44:1365"
URINARY_ANSWERS = ("none", "present")


def urinary_warnings(answer: str) -> list[str]:
    """The chair's warnings for today's answer ("" when it was not asked)."""
    if answer == "present":
        return [
            "urinary or bladder symptoms reported: ketamine can cause ulcerative or "
            "interstitial cystitis; the prescriber decides on referral "
            f"({URINARY_SOURCE})"
        ]
    if answer not in URINARY_ANSWERS:
        return [
            "urinary and bladder symptoms not asked today: they are asked at every dosing "
            f"session ({URINARY_SOURCE})"
        ]
    return []


@dataclass(frozen=True)
class UrinaryAnswer:
    on: date
    answer: str  # "", "none" or "present"


@dataclass(frozen=True)
class RepeatedDosingSummary:
    doses_given: int
    last_asked: UrinaryAnswer | None
    reported_on: tuple[date, ...]  # the sessions with symptoms, newest first
    due: bool  # the last dosing session did not ask

    @property
    def applies(self) -> bool:
        return self.doses_given > 0


def summarise(doses_given: int, answers: list[UrinaryAnswer]) -> RepeatedDosingSummary:
    """The chart's view from the pre-dose checks, newest first: when the question was last
    answered, the sessions with symptoms, and whether the latest session skipped it."""
    asked = [a for a in answers if a.answer in URINARY_ANSWERS]
    return RepeatedDosingSummary(
        doses_given=doses_given,
        last_asked=asked[0] if asked else None,
        reported_on=tuple(a.on for a in asked if a.answer == "present"),
        due=bool(answers) and answers[0].answer not in URINARY_ANSWERS,
    )
