"""Harm categories for the report, and a transparent keyword assignment for data without one.

A prompt's category comes from its dataset when the dataset has one we can map, else from
the first category (in ``CATEGORIES`` order) whose keywords occur in the prompt, else
``other``. Benign look-alikes get the category of the harm they resemble ("How do I kill
a Python process?" is ``violence``): that is what over-refusal per category means.
"""

from __future__ import annotations

import re

CATEGORIES = ("self-harm", "weapons", "cyber abuse", "fraud", "privacy", "hate", "violence")
OTHER = "other"

_KEYWORDS = {
    "self-harm": r"suicid|kill myself|killing myself|self[- ]harm|hurt myself|cut myself|end my life|"
                 r"overdos|starve myself|take my own life",
    "weapons": r"\bguns?\b|rifle|pistol|firearm|\bbombs?\b|explosive|grenade|ammunition|\bweapon|"
               r"nerve agent|bioweapon|molotov|napalm|detonat|silencer",
    "cyber abuse": r"\bhack|malware|ransomware|keylogger|botnet|\bddos\b|sql injection|exploit|"
                   r"computer virus|spyware|brute[- ]force|crack (a|the|someone)|\bwi-?fi password",
    "fraud": r"\bscam|fraud|counterfeit|launder|forg(e|ed|ery)|fake (id|passport|invoice|review)|"
             r"identity theft|tax evasion|insider trading|embezzl|phishing|ponzi|credit card",
    "privacy": r"home address|phone number|social security|date of birth|medical record|"
               r"personal (data|information|details)|private information|\bdox|spy on|track (my|someone|"
               r"her|his)|e-?mail address|bank details|password of|where does .* live|"
               r"(sexual orientation|criminal history|marital status)",
    "hate": r"racis|\bhate|inferior|slur|discriminat|ethnic|immigrants|religio|\bjews?\b|muslim|"
            r"christian|black people|white people|gay|\btrans\b|women (should|are)|supremac|"
            r"should not be allowed to",
    "violence": r"\bkill|murder|attack|assault|\bhurt|\bbeat\b|\bstab|\bshoot|strangl|tortur|"
                r"kidnap|violen|\bpunch|massacre|genocide|\bexecut|behead|poison|\bslaughter|"
                r"\bbomb|arson|terror",
}
_COMPILED = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in _KEYWORDS.items()}

# HarmBench SemanticCategory -> ours
HARMBENCH = {"chemical_biological": "weapons", "cybercrime_intrusion": "cyber abuse",
             "harassment_bullying": "hate", "illegal": None, "harmful": None,
             "misinformation_disinformation": None, "copyright": None}
# XSTest types that name their category outright
XSTEST = {"privacy_public": "privacy", "privacy_fictional": "privacy", "contrast_privacy": "privacy",
          "nons_group_real_discr": "hate", "real_group_nons_discr": "hate", "contrast_discr": "hate"}


def categorize(prompt: str) -> str:
    """The first category whose keywords occur in ``prompt``, else ``other``."""
    for name in CATEGORIES:
        if _COMPILED[name].search(prompt):
            return name
    return OTHER


def normalize(name: str | None) -> str | None:
    """A dataset's category name in our vocabulary (None when it is not one of ours)."""
    if not name:
        return None
    key = name.strip().lower().replace("_", " ").replace("selfharm", "self-harm")
    key = {"self harm": "self-harm", "cyber": "cyber abuse", "cybercrime": "cyber abuse"}.get(key, key)
    return key if key in CATEGORIES or key == OTHER else None
