"""Is a piece of feedback specific? Concrete examples are what make feedback usable.

Rules: a number, date or metric; a named thing (a capitalised word inside a sentence, an
acronym like PR/RFC/SLO); or an event word (incident, launch, migration, outage, review ...)
together with enough words to describe it. Short generic praise is vague.
"""

import re

_NUMBER = re.compile(r"\d")
_ACRONYM = re.compile(r"\b[A-Z]{2,}[a-z]?s?\b")
_NAMED = re.compile(r"(?<=[a-z,;:] )[A-Z][a-zA-Z0-9-]+")
_EVENT = re.compile(
    r"\b(?:incidents?|outages?|launch\w*|migrat\w*|releases?|rollouts?|postmortems?|"
    r"post-mortems?|docs?|designs?|rfcs?|prs?|pull requests?|reviews?|sprints?|deadlines?|"
    r"on[- ]?call|demos?|projects?|tickets?|bugs?|customers?|dashboards?|runbooks?|"
    r"interview\w*|onboard\w*|meetings?|plans?|analys[ie]s|proposals?|specs?|tests?|"
    r"apis?|services?|features?|maps?|pipelines?|queries|query|alerts?|shards?|sharding)\b",
    re.IGNORECASE,
)
MIN_WORDS = 12


def is_specific(text: str) -> bool:
    """True when the feedback carries at least one concrete, checkable detail."""
    words = len(re.findall(r"\w+", text))
    if _NUMBER.search(text) or _ACRONYM.search(text):
        return True
    if _NAMED.search(text) and words >= 8:
        return True
    return bool(_EVENT.search(text)) and words >= MIN_WORDS
