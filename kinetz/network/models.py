"""The actor network: organisations (HSDS organization + actor type) and their contacts."""

from typing import Any, ClassVar

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
        ordering = ["position"]

    def __str__(self) -> str:
        return self.number
