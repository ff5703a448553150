"""Load a region's territory (municipalities, boundaries, population) from files in the project.

Everything is read and validated first; then one transaction writes it. Loading again updates
in place (by AGS), so the command is idempotent.
"""

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from kinetz.territory.geometry import centroid
from kinetz.territory.models import Indicator, IndicatorValue, Municipality, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
POPULATION_SOURCE = "IT.NRW (Landesdatenbank NRW 12411-01i); dl-de/by-2-0"


class TerritoryDataError(Exception):
    """The territory files are incomplete or inconsistent; `problems` says where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class MunicipalityRecord:
    ags: str
    name: str
    kind: str
    area_km2: Decimal | None
    boundary: dict[str, Any]
    centroid: tuple[float, float]
    population: list[tuple[date, int]] = field(default_factory=list)


@dataclass
class LoadResult:
    region: Region
    created: int
    updated: int


def _slugify(name: str) -> str:
    from django.utils.text import slugify

    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        name = name.replace(umlaut, spelled).replace(umlaut.upper(), spelled.capitalize())
    return slugify(name)


def available_regions() -> list[str]:
    return sorted(path.parent.name for path in DATA_DIR.glob("*/region.json"))


def read_region(slug: str) -> tuple[dict[str, Any], list[MunicipalityRecord]]:
    folder = DATA_DIR / slug
    manifest_path = folder / "region.json"
    if not manifest_path.exists():
        known = ", ".join(available_regions()) or "none"
        raise TerritoryDataError([f"{slug}: no territory data for this region (known: {known})"])
    problems: list[str] = []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for key in ("ags", "name", "slug", "boundaries", "population"):
        if not manifest.get(key):
            problems.append(f"{manifest_path.name}: missing {key!r}")
    if problems:
        raise TerritoryDataError(problems)

    records: dict[str, MunicipalityRecord] = {}
    boundaries_path = folder / manifest["boundaries"]
    collection = json.loads(boundaries_path.read_text(encoding="utf-8"))
    for index, feature in enumerate(collection.get("features", [])):
        where = f"{boundaries_path.name}: features[{index}]"
        props = feature.get("properties") or {}
        ags = str(props.get("ags", ""))
        if len(ags) != 8 or not ags.isdigit() or not ags.startswith(manifest["ags"]):
            problems.append(f"{where}.properties.ags: {ags!r} is not an AGS of this region")
            continue
        try:
            center = centroid(feature["geometry"])
        except (KeyError, TypeError, ValueError, IndexError) as error:
            problems.append(f"{where}.geometry: {error}")
            continue
        area = props.get("area_km2")
        records[ags] = MunicipalityRecord(
            ags=ags,
            name=str(props.get("name", "")).strip(),
            kind=str(props.get("bez", "")).strip(),
            area_km2=Decimal(str(area)) if area is not None else None,
            boundary=feature["geometry"],
            centroid=center,
        )
        if not records[ags].name:
            problems.append(f"{where}.properties.name: missing")

    population_path = folder / manifest["population"]
    with population_path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{population_path.name}: line {line}"
            record = records.get(row.get("ags", ""))
            if record is None:
                problems.append(f"{where}: AGS {row.get('ags')!r} has no boundary")
                continue
            try:
                record.population.append((date(2020, 12, 31), int(row["bevoelkerung_2020_12_31"])))
                latest = date.fromisoformat(row["stichtag_neueste"])
                if latest != date(2020, 12, 31):
                    record.population.append((latest, int(row["bevoelkerung_neueste"])))
            except (KeyError, ValueError) as error:
                problems.append(f"{where}: {error}")
    for record in records.values():
        if not record.population:
            problems.append(f"{population_path.name}: no population for AGS {record.ags}")
    if problems:
        raise TerritoryDataError(problems)
    return manifest, sorted(records.values(), key=lambda r: r.ags)


def load_region(slug: str) -> LoadResult:
    manifest, records = read_region(slug)
    created = updated = 0
    with transaction.atomic():
        region, _ = Region.objects.update_or_create(
            ags=manifest["ags"],
            defaults={
                "name": manifest["name"],
                "slug": manifest["slug"],
                "source_note": manifest.get("source_note", ""),
            },
        )
        for record in records:
            latest_date, latest_population = max(record.population)
            municipality, was_created = Municipality.objects.update_or_create(
                ags=record.ags,
                defaults={
                    "region": region,
                    "name": record.name,
                    "slug": _slugify(record.name),
                    "kind": record.kind,
                    "area_km2": record.area_km2,
                    "boundary": record.boundary,
                    "centroid_lat": round(record.centroid[0], 6),
                    "centroid_lon": round(record.centroid[1], 6),
                    "population": latest_population,
                    "population_date": latest_date,
                },
            )
            created += was_created
            updated += not was_created
            for reference_date, value in record.population:
                IndicatorValue.objects.update_or_create(
                    region=region,
                    municipality=municipality,
                    indicator=Indicator.POPULATION,
                    reference_date=reference_date,
                    defaults={"value": value, "source": POPULATION_SOURCE},
                )
        for item in manifest.get("regional_indicators", []):
            IndicatorValue.objects.update_or_create(
                region=region,
                municipality=None,
                indicator=item["indicator"],
                reference_date=date.fromisoformat(item["reference_date"]),
                defaults={"value": item["value"], "source": item.get("source", "")},
            )
    return LoadResult(region=region, created=created, updated=updated)
