"""The HSDS 3.0 JSON schemas kept in the project, and a validator per entity."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "hsds-3.0"


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text()) for path in SCHEMA_DIR.glob("*.json")}


@cache
def validator(entity: str) -> Draft202012Validator:
    """Validator for one HSDS entity, e.g. "service" or "organization" ($refs resolved locally)."""
    schemas = _schemas()
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in schemas.items()
    )
    return Draft202012Validator(schemas[f"{entity}.json"], registry=registry)


@cache
def field_rank(entity: str) -> dict[str, int]:
    """The position of each property of an entity in the HSDS schema (exports follow it)."""
    return {name: rank for rank, name in enumerate(_schemas()[f"{entity}.json"]["properties"])}
