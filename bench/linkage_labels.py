"""Labelled sets for the duplicate finder: the shared (fictional) catalogue plus injected
duplicates and look-alikes that are not duplicates, with a fixed seed.

    .venv/bin/python bench/linkage_labels.py OUT_DIR [--variant tuning|heldout|stress]

Without OUT_DIR (as `make bench` runs it) it builds every variant and prints its counts only.

Writes OUT_DIR/{taxonomy,organizations,services}.json (HSDS, importable with import_hsds) and
OUT_DIR/labels.json: {"services": {"matches": [[id, id], ...], "distinct": [...]},
"organizations": {...}}. Every pair not in "matches" counts as distinct when measuring; the
"distinct" lists name the look-alikes made on purpose.

The catalogue's records are split in two halves by a hash of their id: the "tuning" variant
copies records of one half, the "heldout" variant those of the other, each with its own seed,
so that the model and its threshold are tuned on records the reported figures never see.

Injected duplicates (the kinds of variation of issue 5): reworded descriptions, typos,
abbreviations, organisation name variants, reformatted phone numbers, moved coordinates, and
fields left out. Injected look-alikes: the same course by the same provider in another town,
the same provider's course at another time, and organisations of the same kind in another town.
"""

import argparse
import copy
import hashlib
import json
import math
import random
import re
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalogue import DEMO, _page_header

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kinetz.example.org/bench/linkage")
SEEDS = {"tuning": 1, "heldout": 2, "stress": 3}
HALF = {"tuning": 0, "heldout": 1, "stress": 1}
# "stress" is a harder held-out variant, beyond what the issue asks: every duplicate gets all
# five kinds of variation at once and is moved up to 250 m. It shows where the finder breaks.
STRESS = {"tuning": False, "heldout": False, "stress": True}
SERVICE_DUPLICATE_SHARE = 0.2
ORGANIZATION_DUPLICATE_SHARE = 0.35
LOOKALIKES = 20  # per kind of look-alike

ABBREVIATIONS = [
    ("Volkshochschule", "VHS"),
    ("Arbeiterwohlfahrt", "AWO"),
    ("Deutsches Rotes Kreuz", "DRK"),
    ("Evangelische", "Ev."),
    ("Evangelisches", "Ev."),
    ("Katholische", "Kath."),
    ("Kommunales Integrationszentrum", "KI"),
    ("Straße", "Str."),
    ("Sankt", "St."),
]
SYNONYMS = [
    ("Sie lernen", "Man lernt"),
    ("Anmeldung", "Registrierung"),
    ("kostenlos", "gebührenfrei"),
    ("Kinder", "Mädchen und Jungen"),
    ("Angebot", "Kurs"),
    ("Treffen", "Treff"),
    ("möglich", "machbar"),
    ("bitte", "gern"),
    ("unterstützen", "helfen"),
    ("Beratung", "Unterstützung"),
]
DAYS = ["MO", "TU", "WE", "TH", "FR"]


def _half(record_id: str) -> int:
    return hashlib.sha256(record_id.encode()).digest()[0] % 2


def _new_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def _renumber(value: Any, salt: str, keep: set[str]) -> Any:
    """A copy with every nested id replaced (except `keep`), like a record entered anew."""
    if isinstance(value, dict):
        renumbered = {}
        for key, item in value.items():
            if (key == "id" or key.endswith("_id")) and isinstance(item, str):
                renumbered[key] = item if item in keep else _new_id(salt, item)
            else:
                renumbered[key] = _renumber(item, salt, keep)
        return renumbered
    if isinstance(value, list):
        return [_renumber(item, salt, keep) for item in value]
    return value


# Variations -------------------------------------------------------------------------------


def typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 6:
        return text
    i = rng.choice(letters[2:])
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap" and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice("aeinrst") + text[i + 1 :]


def abbreviate(rng: random.Random, text: str) -> str:
    options = [(long, short) for long, short in ABBREVIATIONS if long in text]
    options += [
        (short, long) for long, short in ABBREVIATIONS if re.search(rf"\b{re.escape(short)}", text)
    ]
    if not options:
        return text
    old, new = rng.choice(options)
    return text.replace(old, new, 1)


def organisation_variant(rng: random.Random, name: str) -> str:
    kind = rng.choice(["legal", "abbreviation", "hyphen", "typo"])
    if kind == "legal":
        if "e.V." in name:
            return name.replace(" e.V.", "").replace("e.V.", "eV")
        if "gGmbH" in name:
            return name.replace("gGmbH", "gemeinnützige GmbH")
        return name + " e.V."
    if kind == "abbreviation":
        changed = abbreviate(rng, name)
        if changed != name:
            return changed
    if kind == "hyphen" and "verband" in name:
        return name.replace("verband", "-Verband", 1)
    return typo(rng, name)


def reword(rng: random.Random, text: str) -> str:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    for old, new in SYNONYMS:
        if old in text and rng.random() < 0.7:
            sentences = [s.replace(old, new) for s in sentences]
    if len(sentences) > 2 and rng.random() < 0.5:
        sentences.pop(rng.randrange(1, len(sentences)))
    if len(sentences) > 1:
        head, tail = sentences[0], sentences[1:]
        rng.shuffle(tail)
        sentences = [head, *tail]
    if rng.random() < 0.5:
        sentences.append(
            rng.choice(["Wir freuen uns auf Sie!", "Neue Teilnehmende sind willkommen."])
        )
    return " ".join(sentences)


def reformat_phone(rng: random.Random, number: str) -> str:
    area, _, local = number.partition(" ")
    if not local:
        return number
    return rng.choice(
        [
            f"+49 {area[1:]} {local}",
            f"{area}/{local}",
            f"({area}) {local[:3]} {local[3:]}",
            f"0049 {area[1:]}-{local}",
            f"{area}-{local}",
        ]
    )


def move(rng: random.Random, location: dict[str, Any], low: float, high: float) -> None:
    """Move coordinates by low..high metres in a random direction."""
    if location.get("latitude") is None:
        return
    metres = rng.uniform(low, high)
    angle = rng.uniform(0, 2 * math.pi)
    location["latitude"] = round(location["latitude"] + metres * math.cos(angle) / 111_320, 6)
    location["longitude"] = round(
        location["longitude"]
        + metres * math.sin(angle) / (111_320 * math.cos(math.radians(location["latitude"]))),
        6,
    )


def _restyle_address(rng: random.Random, location: dict[str, Any]) -> None:
    for address in location.get("addresses", []):
        if rng.random() < 0.5:
            address["address_1"] = (
                address["address_1"].replace("straße", "str.").replace("Straße", "Str.")
            )


# Building the variant -------------------------------------------------------------------------


def duplicate_service(
    rng: random.Random,
    service: dict[str, Any],
    salt: str,
    org_ids: set[str],
    org_twin: dict[str, Any] | None,
    stress: bool = False,
) -> dict[str, Any]:
    twin: dict[str, Any] = _renumber(copy.deepcopy(service), salt, org_ids)
    kinds = ["typo", "abbreviation", "reword", "phone", "missing"]
    variations = [*rng.sample(kinds, k=5 if stress else rng.randint(2, 4)), "move"]
    if "typo" in variations:
        twin["name"] = typo(rng, twin["name"])
    if "abbreviation" in variations:
        twin["name"] = abbreviate(rng, twin["name"])
    if "reword" in variations and twin.get("description"):
        twin["description"] = reword(rng, twin["description"])
    if "phone" in variations:
        for phone in twin.get("phones", []):
            phone["number"] = reformat_phone(rng, phone["number"])
    if "missing" in variations:
        field = rng.choice(["phones", "email", "url", "schedules", "location"])
        if field == "location":
            for sal in twin.get("service_at_locations", []):
                sal["location"].pop("latitude", None)
                sal["location"].pop("longitude", None)
        else:
            twin.pop(field, None)
    for sal in twin.get("service_at_locations", []):
        move(rng, sal["location"], 10, 250 if stress else 120)
        _restyle_address(rng, sal["location"])
    if twin.get("email") and rng.random() < 0.3:
        twin["email"] = twin["email"].capitalize()
    if org_twin:
        # Entered by the provider's duplicate record: embeds that record's core fields.
        twin["organization_id"] = org_twin["id"]
        twin["organization"] = {k: org_twin[k] for k in twin["organization"] if k in org_twin}
        for sal in twin.get("service_at_locations", []):
            sal["location"]["organization_id"] = org_twin["id"]
    return twin


def other_town_lookalike(
    rng: random.Random,
    service: dict[str, Any],
    salt: str,
    keep: set[str],
    places: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """The same course by the same provider, held in another town."""
    town = _town(service)
    elsewhere = [p for p in places if _city(p) and _city(p) != town]
    if town is None or not elsewhere:
        return None
    twin: dict[str, Any] = _renumber(copy.deepcopy(service), salt, keep)
    place = rng.choice(elsewhere)
    twin["service_at_locations"] = [
        {"id": _new_id(salt, "sal"), "location_id": place["id"], "location": place}
    ]
    for schedule in twin.get("schedules", []):
        schedule.pop("service_at_location_id", None)
    return twin


def other_time_lookalike(
    rng: random.Random, service: dict[str, Any], salt: str, keep: set[str]
) -> dict[str, Any] | None:
    """The same provider's course at the same place, on other days or at another time."""
    schedules = [s for s in service.get("schedules", []) if s.get("byday") or s.get("opens_at")]
    if not schedules:
        return None
    twin: dict[str, Any] = _renumber(copy.deepcopy(service), salt, keep)
    for schedule in twin["schedules"]:
        if schedule.get("opens_at") and rng.random() < 0.6:
            hour = (int(schedule["opens_at"][:2]) + rng.choice([3, 4, 5, -3])) % 24
            schedule["opens_at"] = f"{hour:02d}{schedule['opens_at'][2:]}"
            schedule.pop("closes_at", None)
        else:
            schedule["byday"] = ",".join(
                sorted(rng.sample(DAYS, k=rng.randint(1, 2)), key=DAYS.index)
            )
    if rng.random() < 0.5:
        twin["name"] = f"{twin['name']} ({rng.choice(['Abendkurs', 'Gruppe 2', 'Wochenende'])})"
    return twin


def _town(service: dict[str, Any]) -> str | None:
    for sal in service.get("service_at_locations", []):
        city = _city(sal["location"])
        if city:
            return city
    return None


def _city(location: dict[str, Any]) -> str | None:
    addresses = location.get("addresses") or []
    return addresses[0].get("city") if addresses else None


def duplicate_organization(
    rng: random.Random, organization: dict[str, Any], salt: str, keep: set[str]
) -> dict[str, Any]:
    twin: dict[str, Any] = _renumber(copy.deepcopy(organization), salt, keep - {organization["id"]})
    twin["name"] = organisation_variant(rng, twin["name"])
    for phone in twin.get("phones", []):
        phone["number"] = reformat_phone(rng, phone["number"])
    for location in twin.get("locations", []):
        move(rng, location, 5, 80)
        _restyle_address(rng, location)
    if rng.random() < 0.3:
        twin.pop("email", None)
    if twin.get("website") and rng.random() < 0.5:
        twin["website"] = twin["website"].replace("https://www.", "http://")
    if rng.random() < 0.3:
        twin.pop("alternate_name", None)
    return twin


def organization_lookalike(
    rng: random.Random,
    organization: dict[str, Any],
    salt: str,
    keep: set[str],
    places: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """An organisation of the same kind and name pattern in another town."""
    locations = organization.get("locations") or []
    town = _city(locations[0]) if locations else None
    if not town or town not in organization["name"]:
        return None
    elsewhere = [p for p in places if _city(p) and _city(p) != town]
    place = copy.deepcopy(rng.choice(elsewhere))
    other = _city(place) or ""
    twin: dict[str, Any] = _renumber(copy.deepcopy(organization), salt, keep - {organization["id"]})
    twin["name"] = organization["name"].replace(town, other)
    twin.pop("alternate_name", None)
    slug = re.sub(r"[^a-z]+", "-", other.lower()).strip("-")
    twin["email"] = f"info@{slug}-{rng.randint(10, 99)}.example.org"
    twin["website"] = f"https://www.{slug}-{rng.randint(10, 99)}.example.org"
    for phone in twin.get("phones", []):
        phone["number"] = f"0{rng.randint(2800, 2899)} 000{rng.randint(100, 999)}"
    place = _renumber(place, salt, set())
    place["organization_id"] = twin["id"]
    twin["locations"] = [place]
    return twin


def build(variant: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    rng = random.Random(SEEDS[variant])
    organizations = json.loads((DEMO / "organizations.json").read_text())["contents"]
    services = json.loads((DEMO / "services.json").read_text())["contents"]
    mine = HALF[variant]
    places = {
        sal["location"]["id"]: sal["location"]
        for s in services
        for sal in s.get("service_at_locations", [])
        if sal["location"].get("addresses")
    }
    place_list = [places[key] for key in sorted(places)]
    labels: dict[str, Any] = {
        "services": {"matches": [], "distinct": []},
        "organizations": {"matches": [], "distinct": []},
    }
    org_ids = {o["id"] for o in organizations}
    taxonomy = json.loads((DEMO / "taxonomy.json").read_text())
    keep = (
        org_ids
        | {t["id"] for t in taxonomy["taxonomy_terms"]}
        | {t["id"] for t in taxonomy["taxonomies"]}
    )

    new_orgs = []
    org_twins: dict[str, dict[str, Any]] = {}
    candidates = [o for o in organizations if _half(o["id"]) == mine]
    for org in rng.sample(candidates, k=round(len(candidates) * ORGANIZATION_DUPLICATE_SHARE)):
        twin = duplicate_organization(rng, org, f"{variant}:org-dup:{org['id']}", org_ids)
        new_orgs.append(twin)
        org_twins[org["id"]] = twin
        labels["organizations"]["matches"].append(sorted([org["id"], twin["id"]]))
    lookalike_orgs = 0
    for org in rng.sample(candidates, k=len(candidates)):
        if lookalike_orgs == LOOKALIKES:
            break
        twin = organization_lookalike(
            rng, org, f"{variant}:org-look:{org['id']}", org_ids, place_list
        )
        if twin:
            new_orgs.append(twin)
            labels["organizations"]["distinct"].append(sorted([org["id"], twin["id"]]))
            lookalike_orgs += 1

    new_services = []
    candidates = [s for s in services if _half(s["id"]) == mine]
    chosen = rng.sample(candidates, k=round(len(candidates) * SERVICE_DUPLICATE_SHARE))
    for service in chosen:
        org_twin = org_twins.get(service["organization_id"]) if rng.random() < 0.5 else None
        twin = duplicate_service(
            rng, service, f"{variant}:dup:{service['id']}", keep, org_twin, STRESS[variant]
        )
        new_services.append(twin)
        labels["services"]["matches"].append(sorted([service["id"], twin["id"]]))
    rest = [s for s in candidates if s not in chosen]
    rng.shuffle(rest)
    made = {"town": 0, "time": 0}
    for service in rest:
        if made["town"] < LOOKALIKES:
            twin = other_town_lookalike(
                rng, service, f"{variant}:town:{service['id']}", keep | set(places), place_list
            )
            kind = "town"
        elif made["time"] < LOOKALIKES:
            twin = other_time_lookalike(
                rng, service, f"{variant}:time:{service['id']}", keep | set(places)
            )
            kind = "time"
        else:
            break
        if twin:
            new_services.append(twin)
            labels["services"]["distinct"].append(sorted([service["id"], twin["id"]]))
            made[kind] += 1
    return organizations + new_orgs, services + new_services, labels


def write(folder: Path, variant: str) -> dict[str, int]:
    organizations, services, labels = build(variant)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO / "taxonomy.json", folder / "taxonomy.json")
    for name, records in (("organizations", organizations), ("services", services)):
        body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        (folder / f"{name}.json").write_text(_page_header(len(records)) + body + "\n]}\n")
    (folder / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
    return {
        "services": len(services),
        "organizations": len(organizations),
        "service_matches": len(labels["services"]["matches"]),
        "service_lookalikes": len(labels["services"]["distinct"]),
        "organization_matches": len(labels["organizations"]["matches"]),
        "organization_lookalikes": len(labels["organizations"]["distinct"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--variant", choices=sorted(SEEDS), default="tuning")
    args = parser.parse_args()
    if args.out:
        print(json.dumps(write(args.out, args.variant)))
        return
    for variant in SEEDS:
        organizations, services, labels = build(variant)
        counts = {kind: {key: len(pairs) for key, pairs in labels[kind].items()} for kind in labels}
        print(variant, len(services), "offers,", len(organizations), "organisations,", counts)


if __name__ == "__main__":
    main()
