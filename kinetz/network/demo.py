"""Demo working groups, meetings and cooperations for `make demo` (refused in production).

Everything here is fictional and built on the fictional demo catalogue's organisations. Each
record has a fixed id derived from a readable key and is only created when missing, so running
the loader again changes nothing (it only puts back a delegate that a catalogue re-import took).
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.core.audit import log_action
from kinetz.network.forms import contacts_of
from kinetz.network.models import (
    Cooperation,
    CooperationKind,
    Meeting,
    MembershipRole,
    Organization,
    WorkingGroup,
    WorkingGroupMembership,
)
from kinetz.offers.models import TaxonomyTerm
from kinetz.territory.models import Region

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kinetz.example.org/demo/network/v1")
KI = "Kommunales Integrationszentrum Kreis Kleve"


@dataclass
class DemoMeeting:
    key: str
    days_from_today: int
    hour: int
    place: str
    agenda: str
    minutes: str = ""
    approved: bool = False


@dataclass
class DemoGroup:
    key: str
    name: str
    description: str
    fields: list[str]
    chair: str
    members: list[tuple[str, MembershipRole]]
    meetings: list[DemoMeeting] = field(default_factory=list)


GROUPS = [
    DemoGroup(
        key="sprache-bildung",
        name="Arbeitskreis Sprache und Bildung",
        description=(
            "Abstimmung der Sprach- und Bildungsangebote im Kreis: Kursplanung, Wartelisten, "
            "Übergänge von der Kita in die Schule und Angebote für Seiteneinsteiger:innen."
        ),
        fields=["hf-sprache", "hf-bildung"],
        chair=KI,
        members=[
            ("Volkshochschule Kleve", MembershipRole.MEMBER),
            ("Volkshochschule Goch", MembershipRole.MEMBER),
            ("VHS Gelderland", MembershipRole.MEMBER),
            ("Sprachinstitut Niederrhein GmbH", MembershipRole.MEMBER),
            ("Schulamt für den Kreis Kleve", MembershipRole.MEMBER),
            ("Familienzentrum Regenbogen Kleve", MembershipRole.MEMBER),
            ("Stadtbücherei Kleve", MembershipRole.GUEST),
            ("Syrischer Kultur- und Bildungsverein Niederrhein e.V.", MembershipRole.MEMBER),
        ],
        meetings=[
            DemoMeeting(
                key="1",
                days_from_today=-42,
                hour=14,
                place="Kreishaus Kleve, Raum 2.14",
                agenda=(
                    "1. Kursplanung Frühjahr\n2. Wartelisten Integrationskurse\n3. Verschiedenes"
                ),
                minutes=(
                    "Anwesend: 7 Organisationen.\n\n"
                    "1. Die Volkshochschulen legen ihre Kursplanung bis Monatsende in kinetz an.\n"
                    "2. Wartelisten: Das KI stellt die Zahlen je Kommune zusammen.\n\n"
                    "Nächstes Treffen in etwa sechs Wochen."
                ),
                approved=True,
            ),
            DemoMeeting(
                key="2",
                days_from_today=21,
                hour=14,
                place="Volkshochschule Goch",
                agenda="1. Wartelisten: Zahlen des KI\n2. Lesepaten in Kitas\n3. Termine",
            ),
        ],
    ),
    DemoGroup(
        key="ehrenamt",
        name="Netzwerk Ehrenamt",
        description=(
            "Austausch der Ehrenamtsinitiativen und Freiwilligenagenturen: Gewinnung und "
            "Begleitung von Ehrenamtlichen, gemeinsame Schulungen."
        ),
        fields=["hf-ehrenamt", "hf-freizeit"],
        chair="Freiwilligenzentrum Kleve e.V.",
        members=[
            ("Ehrenamtsagentur Gelderland e.V.", MembershipRole.MEMBER),
            ("Flüchtlingshilfe Kranenburg e.V.", MembershipRole.MEMBER),
            ("Netzwerk Willkommen in Goch e.V.", MembershipRole.MEMBER),
            ("Ehrenamtsinitiative Asyl Kevelaer", MembershipRole.MEMBER),
            ("Kreissportbund Kleve e.V.", MembershipRole.MEMBER),
            ("Bürgerstiftung Niederrhein-Nord", MembershipRole.GUEST),
            (KI, MembershipRole.MEMBER),
        ],
        meetings=[
            DemoMeeting(
                key="1",
                days_from_today=-63,
                hour=18,
                place="Freiwilligenzentrum Kleve",
                agenda="1. Schulungsreihe für Ehrenamtliche\n2. Ehrenamtskarte",
                minutes=(
                    "Die Schulungsreihe startet im Herbst mit vier Abenden.\n"
                    "Der Kreissportbund bietet Räume an."
                ),
                approved=True,
            ),
            DemoMeeting(
                key="2",
                days_from_today=-14,
                hour=18,
                place="Online",
                agenda="1. Rückblick Schulungsreihe\n2. Gemeinsamer Infostand",
                minutes=(
                    "Entwurf: Infostand beim Stadtfest, Planung übernimmt die Ehrenamtsagentur."
                ),
            ),
        ],
    ),
    DemoGroup(
        key="gesundheit",
        name="AK Gesundheit",
        description=(
            "Gesundheitliche Versorgung von Zugewanderten: Dolmetschen in der Beratung, "
            "psychosoziale Hilfe, Angebote für Schwangere und junge Familien."
        ),
        fields=["hf-gesundheit", "hf-beratung"],
        chair="Gesundheitsamt Kreis Kleve",
        members=[
            ("Psychosoziales Zentrum für Geflüchtete Niederrhein gGmbH", MembershipRole.MEMBER),
            ("Hebammenzentrum Niederrhein e.V.", MembershipRole.MEMBER),
            ("Caritasverband Kleve e.V.", MembershipRole.MEMBER),
            ("Diakonie im Kirchenkreis Kleve e.V.", MembershipRole.MEMBER),
            ("Afghanischer Frauenverein Kleve e.V.", MembershipRole.GUEST),
            (KI, MembershipRole.MEMBER),
        ],
        meetings=[
            DemoMeeting(
                key="1",
                days_from_today=-35,
                hour=10,
                place="Gesundheitsamt Kleve",
                agenda="1. Sprachmittlung in der Beratung\n2. Wartezeiten Psychotherapie",
                minutes=(
                    "Sprachmittlung: Die Träger melden ihren Bedarf dem KI.\n"
                    "Das Psychosoziale Zentrum berichtet von langen Wartezeiten."
                ),
                approved=True,
            ),
            DemoMeeting(
                key="2",
                days_from_today=28,
                hour=10,
                place="Gesundheitsamt Kleve",
                agenda="1. Bedarfsmeldungen Sprachmittlung\n2. Infoabend für Schwangere",
            ),
        ],
    ),
]

COOPERATIONS = [
    (
        "Volkshochschule Kleve",
        "Jobcenter Kreis Kleve",
        CooperationKind.AGREEMENT,
        "Vermittlung in Integrations- und Berufssprachkurse.",
        date(2022, 1, 1),
    ),
    (
        "Caritasverband Kleve e.V.",
        "Refugee Law Clinic Kleve e.V.",
        CooperationKind.REFERRAL,
        "Verweis bei aufenthaltsrechtlichen Fragen.",
        date(2023, 4, 1),
    ),
    (
        "Familienzentrum Regenbogen Kleve",
        "Stadtbücherei Kleve",
        CooperationKind.PROJECT,
        "Mehrsprachige Vorlesestunden.",
        date(2024, 9, 1),
    ),
    (
        KI,
        "Hochschule Rhein-Waal",
        CooperationKind.PROJECT,
        "Studentische Sprachpatenschaften.",
        date(2023, 10, 1),
    ),
    (
        "Psychosoziales Zentrum für Geflüchtete Niederrhein gGmbH",
        "Gesundheitsamt Kreis Kleve",
        CooperationKind.AGREEMENT,
        "Gemeinsame Sprechstunde im Gesundheitsamt.",
        date(2021, 6, 1),
    ),
    (
        "Freiwilligenzentrum Kleve e.V.",
        "Kreissportbund Kleve e.V.",
        CooperationKind.PROJECT,
        "Ehrenamtliche Übungsleiter:innen für Sportangebote.",
        date(2024, 3, 1),
    ),
]


@dataclass
class DemoResult:
    created: int = 0
    missing_organizations: set[str] = field(default_factory=set)


def demo_id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


class _Loader:
    def __init__(self, region: Region) -> None:
        self.region = region
        self.result = DemoResult()
        self.today = timezone.localdate()
        self.organizations = {o.name: o for o in Organization.objects.in_region(region)}
        self.author = (
            User.objects.filter(region=region, role=Role.COORDINATOR, is_active=True)
            .order_by("email")
            .first()
        )

    def organization(self, name: str) -> Organization | None:
        org = self.organizations.get(name)
        if org is None:
            self.result.missing_organizations.add(name)
        return org

    def group(self, spec: DemoGroup) -> None:
        groups = WorkingGroup.objects.in_region(self.region)
        group = groups.filter(pk=demo_id(f"group:{spec.key}")).first()
        group = group or groups.filter(name=spec.name).first()  # e.g. made by hand
        if group is None:
            group = WorkingGroup(
                pk=demo_id(f"group:{spec.key}"),
                region=self.region,
                name=spec.name,
                description=spec.description,
                chair=self.organization(spec.chair),
            )
            group.full_clean()
            group.save()
            group.fields_of_action.set(TaxonomyTerm.objects.filter(code__in=spec.fields))
            self.result.created += 1
        members = [(spec.chair, MembershipRole.CHAIR), *spec.members]
        for position, (name, role) in enumerate(members):
            self.membership(group, spec, name, role, position)
        for meeting in spec.meetings:
            self.meeting(group, spec, meeting)

    def membership(
        self, group: WorkingGroup, spec: DemoGroup, name: str, role: str, position: int
    ) -> None:
        org = self.organization(name)
        if org is None:
            return
        delegate = contacts_of(org).order_by("name", "id").first()
        membership = WorkingGroupMembership.objects.filter(
            pk=demo_id(f"membership:{spec.key}:{name}")
        ).first()
        if membership is None:
            if group.memberships.current().filter(organization=org).exists():
                return  # already a member by other means
            membership = WorkingGroupMembership(
                pk=demo_id(f"membership:{spec.key}:{name}"),
                group=group,
                organization=org,
                role=role,
                delegate=delegate,
                joined=date(2023, 1, 15) + timedelta(days=30 * position),
            )
            membership.full_clean()
            membership.save()
            self.result.created += 1
        elif membership.delegate is None and delegate is not None and membership.left is None:
            membership.delegate = delegate
            membership.save(update_fields=["delegate", "modified"])

    def meeting(self, group: WorkingGroup, spec: DemoGroup, demo: DemoMeeting) -> None:
        day = self.today + timedelta(days=demo.days_from_today)
        starts_at = timezone.make_aware(datetime.combine(day, time(demo.hour)))
        approved_at = starts_at + timedelta(days=7) if demo.approved else None
        _, created = Meeting.objects.get_or_create(
            pk=demo_id(f"meeting:{spec.key}:{demo.key}"),
            defaults={
                "group": group,
                "starts_at": starts_at,
                "place": demo.place,
                "agenda": demo.agenda,
                "minutes": demo.minutes,
                "minutes_author": self.author if demo.minutes else None,
                "minutes_approved_at": approved_at,
            },
        )
        self.result.created += int(created)

    def cooperation(
        self, first: str, second: str, kind: str, description: str, started: date
    ) -> None:
        a, b = self.organization(first), self.organization(second)
        if a is None or b is None:
            return
        if Cooperation.objects.between(a, b).exists():
            return
        cooperation = Cooperation(
            id=demo_id(f"cooperation:{first}:{second}"),
            region=self.region,
            organization_a=a,
            organization_b=b,
            kind=kind,
            description=description,
            started=started,
        )
        cooperation.full_clean()
        cooperation.save()
        self.result.created += 1


@transaction.atomic
def load_demo_network(region: Region) -> DemoResult:
    if settings.PRODUCTION:
        raise RuntimeError("Demo network data is never loaded in production.")
    loader = _Loader(region)
    for spec in GROUPS:
        loader.group(spec)
    for first, second, kind, description, started in COOPERATIONS:
        loader.cooperation(first, second, kind, description, started)
    if loader.result.created:
        log_action(None, "network.demo_loaded", None, created=loader.result.created)
    return loader.result
