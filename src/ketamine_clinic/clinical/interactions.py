"""Drug interactions with ketamine and esketamine: the classes that matter, what each does,
what to do about it, and its source; and the medicines on a chart matched to them by name.

Decision support: a match is a prompt for the prescriber, never a verdict. A name the table
does not know matches nothing (it is not guessed); the evaluation says which medicines were
checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SPRAVATO_7 = "Spravato US label section 7 (drug interactions)"
KETALAR_7 = "Ketalar US label section 7 (drug interactions)"


@dataclass(frozen=True)
class InteractionClass:
    code: str
    name: str
    effect: str
    action: str
    source: str


CLASSES: dict[str, InteractionClass] = {
    c.code: c
    for c in (
        InteractionClass(
            "benzodiazepine",
            "benzodiazepines",
            "more sedation; may blunt the antidepressant response",
            "consider holding the dose the evening before; watch sedation",
            f"{SPRAVATO_7}; Andrashko et al., J Clin Psychiatry 2020 (attenuated response)",
        ),
        InteractionClass(
            "opioid",
            "opioids",
            "more sedation and respiratory depression",
            "continuous pulse oximetry; watch breathing",
            SPRAVATO_7,
        ),
        InteractionClass(
            "sedative_hypnotic",
            "sedative hypnotics",
            "more sedation",
            "watch sedation",
            SPRAVATO_7,
        ),
        InteractionClass(
            "alcohol",
            "alcohol",
            "more sedation and respiratory depression",
            "no alcohol on the day of dosing; ask at the chair",
            SPRAVATO_7,
        ),
        InteractionClass(
            "stimulant",
            "psychostimulants and sympathomimetics",
            "higher blood pressure",
            "check blood pressure closely before and after the dose",
            f"{SPRAVATO_7}; {KETALAR_7} (sympathomimetics)",
        ),
        InteractionClass(
            "maoi",
            "MAO inhibitors",
            "higher blood pressure",
            "check blood pressure closely before and after the dose",
            SPRAVATO_7,
        ),
        InteractionClass(
            "theophylline",
            "theophylline or aminophylline",
            "a lower seizure threshold",
            "weigh the risk of seizures; consider another bronchodilator",
            KETALAR_7,
        ),
        InteractionClass(
            "thyroid_hormone",
            "thyroid hormone",
            "higher blood pressure and heart rate",
            "check blood pressure and heart rate closely",
            KETALAR_7,
        ),
        InteractionClass(
            "lamotrigine",
            "lamotrigine",
            "may lessen ketamine's effects (it reduced them in healthy volunteers)",
            "the response may be smaller; note it when judging the response",
            "Anand et al., Arch Gen Psychiatry 2000;57:270",
        ),
        InteractionClass(
            "naltrexone",
            "naltrexone",
            "may block the antidepressant effect (opioid receptor blockade)",
            "the response may be smaller; discuss with the prescriber of naltrexone",
            "Williams et al., Am J Psychiatry 2018;175:1205",
        ),
        InteractionClass(
            "memantine",
            "memantine",
            "another NMDA receptor antagonist: effects may add (mechanism, no trial)",
            "watch dissociation and sedation",
            "Pharmacology: memantine and ketamine both block the NMDA receptor",
        ),
        InteractionClass(
            "cyp_inducer",
            "strong CYP3A4/CYP2B6 inducers",
            "lower ketamine levels (rifampicin greatly lowered oral S-ketamine exposure)",
            "the response may be smaller; most relevant for oral ketamine",
            "Peltoniemi et al., Basic Clin Pharmacol Toxicol 2012 (rifampicin); "
            f"{KETALAR_7} (CYP3A4, CYP2B6)",
        ),
        InteractionClass(
            "cyp_inhibitor",
            "strong CYP3A4/CYP2B6 inhibitors",
            "higher ketamine levels (ticlopidine 2.4-fold and clarithromycin 2.6-fold oral "
            "S-ketamine exposure)",
            "watch sedation and dissociation; consider a lower dose, above all orally",
            "Peltoniemi et al., Clin Pharmacol Ther 2011 (ticlopidine); Hagelberg et al., "
            "Basic Clin Pharmacol Toxicol 2013 (clarithromycin)",
        ),
    )
}

# Generic names (and a few brand names) of each class; matched as whole words, lower case.
DRUGS: dict[str, tuple[str, ...]] = {
    "benzodiazepine": (
        "alprazolam", "clonazepam", "diazepam", "lorazepam", "temazepam", "oxazepam",
        "chlordiazepoxide", "clobazam", "midazolam", "triazolam", "xanax", "klonopin",
        "valium", "ativan",
    ),
    "opioid": (
        "morphine", "oxycodone", "hydrocodone", "hydromorphone", "fentanyl", "codeine",
        "tramadol", "tapentadol", "methadone", "buprenorphine", "oxymorphone",
    ),
    "sedative_hypnotic": ("zolpidem", "zopiclone", "eszopiclone", "zaleplon", "ambien"),
    "alcohol": ("alcohol", "ethanol"),
    "stimulant": (
        "amphetamine", "dextroamphetamine", "lisdexamfetamine", "methylphenidate",
        "dexmethylphenidate", "modafinil", "armodafinil", "adderall", "vyvanse", "ritalin",
        "concerta", "pseudoephedrine", "phenylephrine", "ephedrine", "solriamfetol",
    ),
    "maoi": (
        "phenelzine", "tranylcypromine", "isocarboxazid", "selegiline", "rasagiline",
        "safinamide", "moclobemide", "linezolid", "nardil", "parnate", "emsam",
    ),
    "theophylline": ("theophylline", "aminophylline"),
    "thyroid_hormone": (
        "levothyroxine", "liothyronine", "thyroxine", "synthroid", "armour thyroid",
    ),
    "lamotrigine": ("lamotrigine", "lamictal"),
    "naltrexone": ("naltrexone", "vivitrol", "samidorphan"),
    "memantine": ("memantine", "namenda"),
    "cyp_inducer": (
        "rifampicin", "rifampin", "rifabutin", "carbamazepine", "phenytoin", "phenobarbital",
        "st john's wort", "st. john's wort", "hypericum", "efavirenz", "enzalutamide",
    ),
    "cyp_inhibitor": (
        "clarithromycin", "ketoconazole", "itraconazole", "voriconazole", "posaconazole",
        "ritonavir", "cobicistat", "ticlopidine", "clopidogrel", "grapefruit",
    ),
}  # fmt: skip


def _pattern(names: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])(" + "|".join(re.escape(n) for n in names) + r")(?![a-z])")


PATTERNS = {code: _pattern(names) for code, names in DRUGS.items()}


def match(medications: Iterable[str]) -> dict[str, list[str]]:
    """Each interaction class found, with the chart's medicine names that fall in it."""
    found: dict[str, list[str]] = {}
    for medication in medications:
        text = " ".join(medication.lower().split())
        for code, pattern in PATTERNS.items():
            if pattern.search(text):
                found.setdefault(code, []).append(medication)
    return found
