"""The actor network: organisations (HSDS organization + actor type), their contacts, the
working groups they meet in and the cooperations between them."""

from datetime import date
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kinetz.core.models import TimeStampedModel
from kinetz.core.scoping import RegionScopedQuerySet


class ActorType(models.TextChoices):
    ADMINISTRATION = "administration", _("Administration")
    WELFARE_PROVIDER = "welfare_provider", _("Welfare provider")
    MSO = "mso", _("Migrant organisation (MSO)")
    SCHOOL = "school", _("School")
    KITA = "kita", _("Day-care centre (Kita)")
    EDUCATION_PROVIDER = "education_provider", _("Education provider")
    JOBCENTER = "jobcenter", _("Jobcenter / employment agency")
    CLUB = "club", _("Club or association")
    RELIGIOUS_COMMUNITY = "religious_community", _("Religious community")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class HSDSRecord(TimeStampedModel):
    """An HSDS record: the fields kinetz works with as columns, every other HSDS field in `extra`.

    `extra` keeps what kinetz does not model (e.g. funding, identifiers, metadata) so that an
    export gives back what an import received.
    """

    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class OrganizationQuerySet(RegionScopedQuerySet["Organization"]):
    pass


class Organization(HSDSRecord):
    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="organizations"
    )
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    year_incorporated = models.PositiveIntegerField(_("year founded"), null=True, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    actor_type = models.CharField(
        _("actor type"), max_length=32, choices=ActorType.choices, default=ActorType.OTHER
    )
    history = HistoricalRecords()

    objects: ClassVar[Any] = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(HSDSRecord):
    """A contact person, kept once and shown wherever the organisation or offer is shown."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        "offers.Service", on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name or self.email


class Phone(HSDSRecord):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        "offers.Service", on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        "offers.Location", on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=60)
    extension = models.PositiveIntegerField(null=True, blank=True)
    type = models.CharField(_("type"), max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.number


# Working groups and cooperations ---------------------------------------------------------


class WorkingGroupQuerySet(RegionScopedQuerySet["WorkingGroup"]):
    def active(self) -> "WorkingGroupQuerySet":
        return self.filter(is_active=True)


class WorkingGroup(TimeStampedModel):
    """An *Arbeitskreis*: organisations of the region that meet on a topic."""

    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="working_groups"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("topic and purpose"), blank=True)
    fields_of_action = models.ManyToManyField(
        "offers.TaxonomyTerm", verbose_name=_("fields of action"), blank=True, related_name="+"
    )
    chair = models.ForeignKey(
        Organization,
        verbose_name=_("lead organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_working_groups",
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects: ClassVar[Any] = WorkingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="working_group_unique_name_in_region"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")


class MembershipQuerySet(RegionScopedQuerySet["WorkingGroupMembership"]):
    region_path = "group__region"

    def current(self) -> "MembershipQuerySet":
        return self.filter(left__isnull=True)


class WorkingGroupMembership(TimeStampedModel):
    """An organisation in a working group, with the person it sends (its delegate)."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="working_group_memberships",
    )
    # The central contact record, so a changed name or e-mail shows everywhere at once.
    delegate = models.ForeignKey(
        Contact,
        verbose_name=_("delegate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="working_group_memberships",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    joined = models.DateField(_("joined on"), null=True, blank=True)
    left = models.DateField(_("left on"), null=True, blank=True)

    objects: ClassVar[Any] = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organization"],
                condition=models.Q(left__isnull=True),
                name="membership_one_current_per_organization",
            ),
            models.CheckConstraint(
                condition=models.Q(left__isnull=True)
                | models.Q(joined__isnull=True)
                | models.Q(left__gte=models.F("joined")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.group}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.organization_id and self.group_id:
            if self.organization.region_id != self.group.region_id:
                errors["organization"] = _("The organisation must be of this region.")
            elif self.left is None:
                others = WorkingGroupMembership.objects.filter(
                    group_id=self.group_id, organization_id=self.organization_id, left__isnull=True
                )
                if others.exclude(pk=self.pk).exists():
                    errors["organization"] = _("This organisation is already a member.")
        contact = self.delegate
        if contact is not None and self.organization_id:
            owners = {contact.organization_id, contact.service and contact.service.organization_id}
            if self.organization_id not in owners:
                errors["delegate"] = _("The delegate must be a contact of this organisation.")
        if self.joined and self.left and self.left < self.joined:
            errors["left"] = _("The leaving date cannot be before the joining date.")
        if errors:
            raise ValidationError(errors)

    def is_current(self) -> bool:
        return self.left is None


class MeetingQuerySet(RegionScopedQuerySet["Meeting"]):
    region_path = "group__region"


class Meeting(TimeStampedModel):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_author = models.ForeignKey(
        "accounts.User",
        verbose_name=_("minutes written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Until approved, minutes are a draft that only the KI's network managers see.
    minutes_approved_at = models.DateTimeField(_("minutes approved on"), null=True, blank=True)
    history = HistoricalRecords()

    objects: ClassVar[Any] = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.group} {self.starts_at:%Y-%m-%d}"


class CooperationKind(models.TextChoices):
    AGREEMENT = "agreement", _("Cooperation agreement")
    PROJECT = "project", _("Joint project")
    REFERRAL = "referral", _("Referrals")
    OTHER = "other", _("Other cooperation")


class CooperationQuerySet(RegionScopedQuerySet["Cooperation"]):
    def involving(self, organization: Organization) -> "CooperationQuerySet":
        return self.filter(
            models.Q(organization_a=organization) | models.Q(organization_b=organization)
        )

    def between(self, first: Organization, second: Organization) -> "CooperationQuerySet":
        low, high = sorted([first, second], key=lambda org: org.pk)
        return self.filter(organization_a=low, organization_b=high)

    def current(self, today: date) -> "CooperationQuerySet":
        return self.filter(models.Q(ended__isnull=True) | models.Q(ended__gte=today))


class Cooperation(TimeStampedModel):
    """A cooperation between two organisations; one record per pair, in either order.

    The pair is stored in a fixed order (lower id first), so that a unique constraint on the
    pair also catches the same two organisations entered the other way round.
    """

    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="cooperations"
    )
    organization_a = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="cooperations_as_a",
    )
    organization_b = models.ForeignKey(
        Organization,
        verbose_name=_("partner organisation"),
        on_delete=models.CASCADE,
        related_name="cooperations_as_b",
    )
    kind = models.CharField(
        _("kind of cooperation"),
        max_length=16,
        choices=CooperationKind.choices,
        default=CooperationKind.AGREEMENT,
    )
    description = models.TextField(_("description"), blank=True)
    started = models.DateField(_("since"), null=True, blank=True)
    ended = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    objects: ClassVar[Any] = CooperationQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation")
        verbose_name_plural = _("cooperations")
        ordering = ["-started", "created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization_a__lt=models.F("organization_b")),
                name="cooperation_pair_in_order",
                violation_error_message=_("An organisation cannot cooperate with itself."),
            ),
            models.UniqueConstraint(
                fields=["organization_a", "organization_b"],
                name="cooperation_unique_pair",
                violation_error_message=_(
                    "A cooperation between these two organisations is already recorded."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(ended__isnull=True)
                | models.Q(started__isnull=True)
                | models.Q(ended__gte=models.F("started")),
                name="cooperation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_a} ↔ {self.organization_b}"

    def put_pair_in_order(self) -> None:
        a, b = self.organization_a_id, self.organization_b_id
        if a and b and b < a:
            self.organization_a_id, self.organization_b_id = b, a

    def clean(self) -> None:
        # Before the constraints are checked, which expect the pair in order.
        self.put_pair_in_order()
        errors: dict[str, Any] = {}
        if self.organization_a_id and self.organization_a_id == self.organization_b_id:
            errors["organization_b"] = _("An organisation cannot cooperate with itself.")
        elif self.organization_a_id and self.organization_b_id:
            pair = sorted([self.organization_a_id, self.organization_b_id])
            clash = Cooperation.objects.filter(organization_a=pair[0], organization_b=pair[1])
            if clash.exclude(pk=self.pk).exists():
                errors["organization_b"] = _(
                    "A cooperation between these two organisations is already recorded."
                )
            regions = {self.organization_a.region_id, self.organization_b.region_id}
            if regions != {self.region_id}:
                errors["organization_b"] = _("Both organisations must be of this region.")
        if self.started and self.ended and self.ended < self.started:
            errors["ended"] = _("The end cannot be before the start.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.put_pair_in_order()
        super().save(*args, **kwargs)

    def partner_of(self, organization: Organization) -> Organization:
        if organization.pk == self.organization_a_id:
            return self.organization_b
        return self.organization_a

    def is_current(self, today: date) -> bool:
        return self.ended is None or self.ended >= today
