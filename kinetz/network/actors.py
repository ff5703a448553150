"""Guess an organisation's actor type from its name, for imported records that carry none.

Staff correct the guess on the profile; a guess never overrides a type set by a person.
"""

import re

from kinetz.network.models import ActorType

# First match wins; patterns are matched against the lower-cased name and alternate name.
_RULES: list[tuple[ActorType, str]] = [
    (ActorType.JOBCENTER, r"jobcenter|agentur für arbeit|arbeitsagentur"),
    (ActorType.UNIVERSITY, r"\bhochschule|universität"),
    (ActorType.KITA, r"\bkita\b|kindertagesstätte|kindergarten|familienzentrum"),
    (
        ActorType.EDUCATION_PROVIDER,
        r"volkshochschule|\bvhs\b|sprachinstitut|sprachschule|bildungswerk|akademie|qualifizierung",
    ),
    (ActorType.SCHOOL, r"schule\b|gymnasium|schulzentrum|berufskolleg|grundschule"),
    (
        ActorType.WELFARE_PROVIDER,
        r"caritas|diakonie|\bawo\b|arbeiterwohlfahrt|\bdrk\b|rotes kreuz|paritätisch"
        r"|johanniter|malteser",
    ),
    (
        ActorType.RELIGIOUS_COMMUNITY,
        r"kirchengemeinde|pfarrei|moschee|islamische gemeinde|synagoge|gemeinde .*e\.v\.|ditib",
    ),
    (
        ActorType.ADMINISTRATION,
        r"^stadt |^gemeinde |kreisverwaltung|^kreis |behörde|amt\b|amt für|rathaus"
        r"|kommunales integrationszentrum",
    ),
    (
        ActorType.MSO,
        r"^(afghanisch|afrikanisch|arabisch|bulgarisch|eritreisch|kurdisch|persisch|polnisch"
        r"|rumänisch|russischsprachig|syrisch|türkisch|ukrainisch|deutsch-)"
        r"|kulturverein|kulturzentrum|migrant",
    ),
    (ActorType.CLUB, r"\bsv\b|\btus\b|\bfc\b|sportbund|sportverein|e\.v\.|verein"),
]


def guess_actor_type(name: str, alternate_name: str = "") -> ActorType:
    text = f"{name} {alternate_name}".lower()
    for actor_type, pattern in _RULES:
        if re.search(pattern, text):
            return actor_type
    return ActorType.OTHER
