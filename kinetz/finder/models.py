"""What the public finder stores: problem reports about published offers."""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kinetz.core.models import TimeStampedModel
from kinetz.core.scoping import RegionScopedQuerySet


class ProblemKind(models.TextChoices):
    OUTDATED = "outdated", _("The information is out of date")
    WRONG_CONTACT = "contact", _("Address, phone or e-mail is wrong")
    WRONG_TIMES = "times", _("The times are wrong")
    CLOSED = "closed", _("The offer no longer exists")
    TRANSLATION = "translation", _("The translation is wrong or hard to understand")
    OTHER = "other", _("Something else")


class ProblemReportQuerySet(RegionScopedQuerySet["ProblemReport"]):
    def open(self) -> "ProblemReportQuerySet":
        return self.filter(closed_at__isnull=True)


class ProblemReport(TimeStampedModel):
    """A visitor's note that something about a published offer is wrong.

    The region is the offer's, copied so that the review area scopes reports like every other
    regional record. The optional e-mail address is erased when the report is closed.
    """

    service = models.ForeignKey(
        "offers.Service", on_delete=models.CASCADE, related_name="problem_reports"
    )
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("what is wrong"), max_length=20, choices=ProblemKind.choices)
    message = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("e-mail address for questions"), blank=True)
    # The page language the visitor used, so that an answer can be written in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    closed_at = models.DateTimeField(_("done on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[Any] = ProblemReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        ordering = ["created"]
        indexes = [models.Index(fields=["region", "closed_at"], name="problem_report_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.service_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
