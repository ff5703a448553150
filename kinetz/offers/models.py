"""The offer catalogue in the shape of Open Referral HSDS 3.0.

Columns hold what kinetz filters, shows and edits; every other HSDS field of a record stays in
its `extra` JSON so that exports give back what imports received.
"""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kinetz.core.models import TimeStampedModel
from kinetz.core.scoping import RegionScopedQuerySet
from kinetz.network.models import HSDSRecord


class Vocabulary(models.TextChoices):
    HANDLUNGSFELD = "handlungsfeld", _("Field of action")
    ZIELGRUPPE = "zielgruppe", _("Target group")


class Taxonomy(HSDSRecord):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    uri = models.URLField(max_length=500, blank=True)
    version = models.CharField(max_length=40, blank=True)
    # Which kinetz vocabulary this taxonomy is ("handlungsfeld", "zielgruppe"), if any.
    vocabulary = models.CharField(max_length=32, choices=Vocabulary.choices, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HSDSRecord):
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, null=True, blank=True, related_name="terms"
    )
    code = models.CharField(_("code"), max_length=100, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    language = models.CharField(max_length=8, blank=True)
    term_uri = models.URLField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["taxonomy__name", "code", "name"]

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    INACTIVE = "inactive", _("inactive")
    DEFUNCT = "defunct", _("defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("temporarily closed")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for review")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


class ServiceQuerySet(RegionScopedQuerySet["Service"]):
    def published(self) -> "ServiceQuerySet":
        return self.filter(review_state=ReviewState.PUBLISHED)


class Service(HSDSRecord):
    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="services"
    )
    organization = models.ForeignKey(
        "network.Organization", on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(_("interpretation"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("costs"), blank=True)
    eligibility_description = models.TextField(_("who can take part"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    alert = models.TextField(_("notice"), blank=True)
    # HSDS `assured_date`: when the provider or the KI last confirmed the entry is current.
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    review_state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT, db_index=True
    )
    terms: "models.ManyToManyField[TaxonomyTerm, ServiceAttribute]" = models.ManyToManyField(
        TaxonomyTerm, through="ServiceAttribute", related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["last_modified"])

    objects: ClassVar[Any] = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["name"]
        # The public API and finder list published offers by name, page by page.
        indexes = [models.Index(fields=["review_state", "name", "id"], name="service_listing")]

    def __str__(self) -> str:
        return self.name


class ServiceAttribute(HSDSRecord):
    """HSDS attribute linking a service to a taxonomy term (field of action, target group)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    link_type = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("field or target group of an offer")
        verbose_name_plural = _("fields and target groups of offers")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.link_type}: {self.taxonomy_term_id}"


class Location(HSDSRecord):
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "network.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="locations",
    )
    location_type = models.CharField(max_length=20, default="physical")
    url = models.URLField(max_length=500, blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(_("how to get there"), blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # True when the coordinates were derived from the postcode or municipality, not given.
    coordinates_approximate = models.BooleanField(default=False)
    municipality = models.ForeignKey(
        "territory.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="locations",
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or str(self.id)


class OrganizationLocation(models.Model):
    """A location listed in an organisation's own HSDS record (e.g. its office)."""

    organization = models.ForeignKey(
        "network.Organization", on_delete=models.CASCADE, related_name="listed_locations"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("place of an organisation")
        verbose_name_plural = _("places of organisations")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "location"], name="location_listed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.location_id}"


class Address(HSDSRecord):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(_("street"), max_length=300)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(_("town"), max_length=200)
    region_name = models.CharField(max_length=200, blank=True)  # HSDS "region"
    state_province = models.CharField(max_length=200)
    postal_code = models.CharField(_("postcode"), max_length=20)
    country = models.CharField(max_length=2)
    address_type = models.CharField(max_length=20)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]


class ServiceAtLocation(HSDSRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("place of an offer")
        verbose_name_plural = _("places of offers")
        ordering = ["position"]


class Schedule(HSDSRecord):
    """HSDS schedule (RFC 5545 recurrence fields); times are local time Europe/Berlin."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    freq = models.CharField(max_length=10, blank=True)
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=60, blank=True)
    bymonthday = models.CharField(max_length=60, blank=True)
    opens_at = models.CharField(max_length=14, blank=True)
    closes_at = models.CharField(max_length=14, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    attending_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["position"]


class ServiceLanguage(HSDSRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(max_length=8, blank=True, db_index=True)
    name = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("language of an offer")
        verbose_name_plural = _("languages of offers")
        ordering = ["position"]


class CostOption(HSDSRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(max_length=500, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        ordering = ["position"]


class TranslationOrigin(models.TextChoices):
    HUMAN = "human", _("human translation")
    MACHINE = "machine", _("machine translation")


# The text fields of an offer that can be translated, in the order editors see them.
TRANSLATABLE_SERVICE_FIELDS = (
    "name",
    "description",
    "eligibility_description",
    "application_process",
    "fees_description",
    "interpretation_services",
    "alert",
)


class ServiceTranslation(TimeStampedModel):
    """One text field of an offer in one language.

    `source_digest` is the digest of the German text the translation was made from: when the
    German text changes, the translation is known to be outdated without reading the history.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8)
    field = models.CharField(
        _("field"),
        max_length=40,
        choices=[(name, name) for name in TRANSLATABLE_SERVICE_FIELDS],
    )
    text = models.TextField(_("translation"))
    origin = models.CharField(
        _("made by"),
        max_length=10,
        choices=TranslationOrigin.choices,
        default=TranslationOrigin.HUMAN,
    )
    source_digest = models.CharField(max_length=64)
    translated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "language", "field"], name="one_translation_per_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.field} [{self.language}]"


# Provider self-service: proposed changes and freshness reminders --------------------------


class RevisionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for review")
    RETURNED = "returned", _("returned for changes")
    PUBLISHED = "published", _("published")


# A revision in one of these states is still being worked on; a service has at most one.
OPEN_REVISION_STATES = (RevisionState.DRAFT, RevisionState.SUBMITTED, RevisionState.RETURNED)


class ServiceRevisionQuerySet(RegionScopedQuerySet["ServiceRevision"]):
    region_path = "service__region"

    def open(self) -> "ServiceRevisionQuerySet":
        return self.filter(state__in=OPEN_REVISION_STATES)

    def submitted(self) -> "ServiceRevisionQuerySet":
        return self.filter(state=RevisionState.SUBMITTED)


class ServiceRevision(TimeStampedModel):
    """A provider editor's proposed version of an offer, waiting to be reviewed.

    `data` holds the whole proposal as the editor form sees it (see kinetz.offers.revisions);
    `base` is the published version the editor started from, so that publishing writes only
    what the editor changed. The offer itself is changed only when a coordinator publishes.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="revisions")
    state = models.CharField(
        _("state"), max_length=20, choices=RevisionState.choices, default=RevisionState.DRAFT
    )
    data = models.JSONField(default=dict)
    base = models.JSONField(null=True, blank=True)
    # An archive request takes the published offer offline when it is accepted.
    archive = models.BooleanField(_("archive request"), default=False)
    note = models.TextField(_("message to the integration centre"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = models.TextField(_("comment of the integration centre"), blank=True)

    objects: ClassVar[Any] = ServiceRevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        ordering = ["submitted_at", "created"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(state__in=["draft", "submitted", "returned"]),
                name="one_open_revision_per_service",
            )
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="revision_queue")]

    def __str__(self) -> str:
        return f"{self.service_id} [{self.state}]"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REVISION_STATES

    @property
    def is_new_offer(self) -> bool:
        """True while the offer was never published: the proposal is the whole offer."""
        return self.base is None


class FreshnessReminderQuerySet(RegionScopedQuerySet["FreshnessReminder"]):
    region_path = "organization__region"


class FreshnessReminder(models.Model):
    """One reminder sent to an organisation's editors about offers not verified for long."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(
        "network.Organization", on_delete=models.CASCADE, related_name="freshness_reminders"
    )
    sent_at = models.DateTimeField(db_index=True)
    stale_offers = models.PositiveIntegerField()
    recipients = models.PositiveIntegerField()

    objects: ClassVar[Any] = FreshnessReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.sent_at:%Y-%m-%d}"
