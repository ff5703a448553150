from django.contrib import admin

from kinetz.territory.models import IndicatorValue, Municipality, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "ags", "slug"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "ags", "region", "population", "population_date"]
    list_filter = ["region"]
    exclude = ["boundary"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["indicator", "municipality", "region", "reference_date", "value"]
    list_filter = ["indicator", "region"]
