"""Place a location in its municipality; estimate coordinates when an address has none."""

from kinetz.offers.models import Location
from kinetz.territory.geometry import contains
from kinetz.territory.models import Municipality


def _municipalities(location: Location) -> list[Municipality]:
    return list(Municipality.objects.in_region(location.region).exclude(boundary=None))


def place_location(location: Location) -> None:
    """Set the municipality; an address without coordinates gets the municipality's centroid,
    marked as approximate."""
    municipalities = _municipalities(location)
    found = None
    if location.latitude is not None and location.longitude is not None:
        found = next(
            (
                m
                for m in municipalities
                if m.boundary and contains(m.boundary, location.latitude, location.longitude)
            ),
            None,
        )
        location.coordinates_approximate = False
    else:
        cities = {a.city.strip().lower() for a in location.addresses.all()}
        found = next((m for m in municipalities if m.name.lower() in cities), None)
        if found is not None and found.centroid_lat is not None:
            location.latitude, location.longitude = found.centroid_lat, found.centroid_lon
            location.coordinates_approximate = True
    location.municipality = found
    location.save(
        update_fields=["municipality", "latitude", "longitude", "coordinates_approximate"]
    )
