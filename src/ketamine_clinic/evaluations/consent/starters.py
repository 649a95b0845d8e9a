"""Starter consent texts for the demo and for clinics to adapt. A clinic must review them with
its own counsel and prescribers before use; they are written for this project, in plain words."""

from __future__ import annotations

COMMON_RISKS = """
## What you may feel

During and for a short time after treatment you may feel detached or "floaty", see or hear
things differently, feel dizzy, sleepy or sick, or have a raised blood pressure. These
usually pass within two hours. Rarely, people feel very anxious or confused; staff stay with
you and can stop the treatment.

## Before and after each treatment

- Do not eat for 2 hours or drink for 30 minutes before.
- Tell us about any new medicine, alcohol or drug use, and whether you may be pregnant.
- You will stay in the clinic until the effects have worn off and staff agree you may go.
- Someone must take you home. Do not drive, cycle or operate machinery until the next day
  after a night's sleep.

## Your choices

Ketamine treatment is one of several options for depression. You may ask questions at any
time, and you may withdraw this consent at any time, in person or through the patient
portal; withdrawing stops further treatment and does not affect the rest of your care.

## If you are in crisis

Call or text 988 (US) or your local emergency number. Messages to the clinic are not
watched around the clock.
"""

STARTERS = {
    "iv_racemic": (
        "Consent to treatment with intravenous ketamine",
        """## The treatment

Ketamine is given through a drip into a vein, usually over about 40 minutes, at a dose
worked out from your weight. A course usually starts with up to six treatments over two to
three weeks, then less often. Using ketamine for depression is "off-label": it is licensed
as an anaesthetic, and the doses used for depression are much lower.

## Monitoring

A nurse checks your blood pressure, heart rate, oxygen level and how you feel before,
during and after the infusion, and may slow or stop it.
"""
        + COMMON_RISKS,
    ),
    "im_racemic": (
        "Consent to treatment with intramuscular ketamine",
        """## The treatment

Ketamine is given as an injection into a muscle, at a dose worked out from your weight. It
is "off-label" for depression: licensed as an anaesthetic, used here at much lower doses.

## Monitoring

A nurse checks your blood pressure, heart rate, oxygen level and how you feel before and
after the injection.
"""
        + COMMON_RISKS,
    ),
    "esketamine_nasal": (
        "Consent to treatment with esketamine nasal spray (Spravato)",
        """## The treatment

You give yourself esketamine as a nasal spray under the direct supervision of clinic
staff, one device at a time, five minutes apart. Esketamine is approved for
treatment-resistant depression and for depression with suicidal thoughts. It is only given
in certified settings under a safety programme (REMS), in which you must be enrolled.

## Monitoring

Staff check your blood pressure before, about 40 minutes after, and as needed, and watch
you for at least two hours.
"""
        + COMMON_RISKS,
    ),
}
