"""Territory: regions (Kreise), their municipalities and demand indicators."""

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kinetz.core.models import TimeStampedModel
from kinetz.core.scoping import RegionScopedQuerySet


class Region(TimeStampedModel):
    """A Kreis or kreisfreie Stadt that runs a KI; one installation can host several."""

    ags = models.CharField(_("official key (AGS)"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    source_note = models.TextField(_("sources and licences"), blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MunicipalityQuerySet(RegionScopedQuerySet["Municipality"]):
    pass


class Municipality(TimeStampedModel):
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="municipalities"
    )
    ags = models.CharField(_("official key (AGS)"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=40, blank=True)  # Stadt / Gemeinde
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_date = models.DateField(_("population as of"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area in km²"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    # GeoJSON geometry (WGS84); a JSON field keeps SQLite and PostgreSQL alike.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)

    objects: ClassVar[Any] = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "slug"], name="municipality_slug_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.TextChoices):
    POPULATION = "population", _("Population")
    FOREIGN_POPULATION = "foreign_population", _("Foreign population")
    CHILDREN_6_18 = "children_6_18", _("Children aged 6–18")
    NEWLY_ARRIVED_PUPILS = "newly_arrived_pupils", _("Newly arrived pupils")
    UKRAINIAN_PUPILS = "ukrainian_pupils", _("Ukrainian pupils")


class IndicatorValueQuerySet(RegionScopedQuerySet["IndicatorValue"]):
    def series_by_municipality(self, indicator: str) -> tuple[list[Any], dict[Any, dict[Any, Any]]]:
        """Reference dates (ascending) and {municipality id: {date: value}} of one indicator."""
        series: dict[Any, dict[Any, Any]] = {}
        dates: set[Any] = set()
        for value in self.filter(indicator=indicator, municipality__isnull=False):
            series.setdefault(value.municipality_id, {})[value.reference_date] = value.value
            dates.add(value.reference_date)
        return sorted(dates), series

    def latest_per_municipality(self, indicator: str) -> dict[Any, "IndicatorValue"]:
        latest: dict[Any, IndicatorValue] = {}
        for value in self.filter(indicator=indicator, municipality__isnull=False).order_by(
            "reference_date"
        ):
            latest[value.municipality_id] = value
        return latest


class IndicatorValue(TimeStampedModel):
    """A demand figure for a municipality, or for the whole region when municipality is empty."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="indicators"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
    )
    indicator = models.CharField(_("indicator"), max_length=40, choices=Indicator.choices)
    reference_date = models.DateField(_("as of"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects: ClassVar[Any] = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "reference_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator", "reference_date"],
                condition=models.Q(municipality__isnull=False),
                name="one_municipal_indicator_value_per_date",
            ),
            models.UniqueConstraint(
                fields=["region", "indicator", "reference_date"],
                condition=models.Q(municipality__isnull=True),
                name="one_regional_indicator_value_per_date",
            ),
        ]

    def __str__(self) -> str:
        where = self.municipality or self.region
        return f"{where}: {self.indicator} {self.reference_date:%Y-%m-%d} = {self.value}"
