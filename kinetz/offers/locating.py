"""Place a location in its municipality; estimate coordinates when an address has none."""

from collections.abc import Iterable, Sequence
from typing import Any

from kinetz.offers.models import Location
from kinetz.territory.geometry import contains
from kinetz.territory.models import Municipality, Region


def region_municipalities(region: Region) -> list[Municipality]:
    """The municipalities of `region` that have a boundary, in the order placement tries them."""
    return list(Municipality.objects.in_region(region).exclude(boundary=None))


def _bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of a Polygon or MultiPolygon."""
    polygons = (
        [geometry["coordinates"]]
        if geometry.get("type") == "Polygon"
        else geometry.get("coordinates", [])
    )
    points = [point for rings in polygons for point in rings[0]]
    if not points:
        return (0.0, -1.0, 0.0, -1.0)  # nothing lies inside
    lons = [point[0] for point in points]
    lats = [point[1] for point in points]
    return min(lats), max(lats), min(lons), max(lons)


class Placer:
    """Places many locations against municipalities loaded once (e.g. for a bulk import)."""

    def __init__(self, municipalities: Sequence[Municipality]) -> None:
        self.municipalities = list(municipalities)
        self._bounds = [_bounds(m.boundary) if m.boundary else None for m in self.municipalities]
        self._at: dict[tuple[float, float], Municipality | None] = {}

    def municipality_at(self, latitude: float, longitude: float) -> Municipality | None:
        point = (latitude, longitude)
        if point not in self._at:
            self._at[point] = next(
                (
                    m
                    for m, box in zip(self.municipalities, self._bounds, strict=True)
                    if box is not None
                    and box[0] <= latitude <= box[1]
                    and box[2] <= longitude <= box[3]
                    and m.boundary
                    and contains(m.boundary, latitude, longitude)
                ),
                None,
            )
        return self._at[point]

    def place(self, location: Location, cities: Iterable[str]) -> None:
        """Set the municipality (and estimated coordinates) in memory, without saving.

        `cities` are the towns of the location's addresses, used when it has no coordinates.
        """
        found = None
        if location.latitude is not None and location.longitude is not None:
            found = self.municipality_at(location.latitude, location.longitude)
            location.coordinates_approximate = False
        else:
            wanted = {city.strip().lower() for city in cities}
            found = next((m for m in self.municipalities if m.name.lower() in wanted), None)
            if found is not None and found.centroid_lat is not None:
                location.latitude, location.longitude = found.centroid_lat, found.centroid_lon
                location.coordinates_approximate = True
        location.municipality = found


def place_location(location: Location) -> None:
    """Set the municipality; an address without coordinates gets the municipality's centroid,
    marked as approximate."""
    placer = Placer(region_municipalities(location.region))
    placer.place(location, (a.city for a in location.addresses.all()))
    location.save(
        update_fields=["municipality", "latitude", "longitude", "coordinates_approximate"]
    )
