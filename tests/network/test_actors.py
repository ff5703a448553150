import pytest

from kinetz.network.actors import guess_actor_type
from kinetz.network.models import ActorType


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jobcenter Kreis Kleve", ActorType.JOBCENTER),
        ("Volkshochschule Kleve", ActorType.EDUCATION_PROVIDER),
        ("Hochschule Rhein-Waal", ActorType.UNIVERSITY),
        ("Familienzentrum Regenbogen Kleve", ActorType.KITA),
        ("Gesamtschule Goch-Niers", ActorType.SCHOOL),
        ("Caritasverband Kleve e.V.", ActorType.WELFARE_PROVIDER),
        ("Polnischer Kulturverein Polonia Kleve e.V.", ActorType.MSO),
        ("Türkisch-Islamischer Kulturverein Kleve e.V.", ActorType.MSO),
        ("Moscheegemeinde Emmerich e.V.", ActorType.RELIGIOUS_COMMUNITY),
        ("Gemeinde Weeze", ActorType.ADMINISTRATION),
        ("Ausländerbehörde Kreis Kleve", ActorType.ADMINISTRATION),
        ("SV Blau-Gelb Goch 1909 e.V.", ActorType.CLUB),
        ("Bürgerstiftung Niederrhein-Nord", ActorType.OTHER),
    ],
)
def test_actor_type_is_guessed_from_the_name(name: str, expected: ActorType) -> None:
    assert guess_actor_type(name) == expected
