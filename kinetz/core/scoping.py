"""Region scoping, in one place.

Every model that holds regional data uses `RegionScopedQuerySet`; views reach such data only
through `.for_user(user)` (the user's region, nothing else) or `.in_region(region)` when the
region is already known. Crossing regions is spelled out with `.across_regions()`.
"""

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from kinetz.accounts.models import User
    from kinetz.territory.models import Region

_M = TypeVar("_M", bound=models.Model)


class RegionScopedQuerySet(models.QuerySet[_M]):
    # The lookup from this model to its Region, e.g. "region" or "municipality__region".
    region_path = "region"

    def in_region(self, region: "Region") -> Self:
        return self.filter(**{self.region_path: region})

    def for_user(self, user: "User | Any") -> Self:
        """What `user` may see of this model: their region's rows, or none."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.region_id is None:
            return self.none()
        return self.filter(**{f"{self.region_path}_id": user.region_id})

    def across_regions(self) -> Self:
        """Deliberately unscoped: for operators' commands and state-wide analyses."""
        return self.all()
