"""Small, dependency-free geometry on GeoJSON (WGS84) for municipal boundaries."""

import itertools
import math
from itertools import pairwise
from typing import Any

EARTH_RADIUS_KM = 6371.0088


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Exterior rings of a Polygon or MultiPolygon."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"][0]]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    raise ValueError(f"expected a Polygon or MultiPolygon, got {kind!r}")


def centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """Area-weighted centroid (lat, lon) of the exterior rings (planar; fine at Kreis scale)."""
    total_area = cx = cy = 0.0
    for ring in _rings(geometry):
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            total_area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if total_area == 0:
        raise ValueError("the geometry has no area")
    total_area /= 2
    return cy / (6 * total_area), cx / (6 * total_area)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _in_ring(lat: float, lon: float, ring: list[list[float]]) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in pairwise(ring):
        if (y0 > lat) != (y1 > lat):
            crossing = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
            if lon < crossing:
                inside = not inside
    return inside


def contains(geometry: dict[str, Any], lat: float, lon: float) -> bool:
    """Whether the point lies in the Polygon/MultiPolygon (holes respected)."""
    polygons = (
        [geometry["coordinates"]]
        if geometry.get("type") == "Polygon"
        else geometry.get("coordinates", [])
    )
    for rings in polygons:
        if _in_ring(lat, lon, rings[0]) and not any(_in_ring(lat, lon, h) for h in rings[1:]):
            return True
    return False
