"""Read HSDS JSON files and check them before anything is written.

Every problem is reported as one line: file, JSON path, reason. Nothing is written unless the
whole input is valid.
"""

import json
import multiprocessing
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinetz.interop.schema import validator

FOLDER_FILES = ("taxonomy.json", "organizations.json", "services.json")


@dataclass
class HSDSInput:
    taxonomies: list[dict[str, Any]] = field(default_factory=list)
    taxonomy_terms: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # entity -> id -> "file: $.path" of the record, for problems found after reading
    seen: dict[str, dict[str, str]] = field(default_factory=dict)


def _path(parts: list[Any]) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _records(data: Any) -> tuple[list[Any], list[Any]] | None:
    """Records of a file and the JSON path prefix: an HSDS Page, a list, or one object."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return data["contents"], ["contents"]
    if isinstance(data, list):
        return data, []
    if isinstance(data, dict):
        return [data], []
    return None


def _entity_of(name: str, record: Any) -> str | None:
    lowered = name.lower()
    if lowered.startswith("service_at_location"):
        return None
    if lowered.startswith("service"):
        return "service"
    if lowered.startswith("organization") or lowered.startswith("organisation"):
        return "organization"
    if isinstance(record, dict):
        if "service_at_locations" in record or "organization_id" in record or "status" in record:
            return "service"
        if "locations" in record or "organization_identifiers" in record or "website" in record:
            return "organization"
    return None


def _check_ids(record: Any, file: str, path: list[Any], problems: list[str]) -> None:
    if isinstance(record, dict):
        for key, value in record.items():
            if (key == "id" or key.endswith("_id")) and value is not None:
                try:
                    uuid.UUID(str(value))
                except ValueError:
                    problems.append(f"{file}: {_path([*path, key])}: {value!r} is not a UUID")
            else:
                _check_ids(value, file, [*path, key], problems)
    elif isinstance(record, list):
        for index, item in enumerate(record):
            _check_ids(item, file, [*path, index], problems)


def _record_problems(
    entity: str, records: list[Any], file: str, prefix: list[Any], indexes: range
) -> list[list[str]]:
    """The schema and id problems of each record in `indexes`, one line each."""
    check = validator(entity)
    found = []
    for index in indexes:
        record = records[index]
        path = [*prefix, index]
        errors = sorted(check.iter_errors(record), key=lambda e: list(e.absolute_path))
        problems = [
            f"{file}: {_path([*path, *error.absolute_path])}: {error.message}" for error in errors
        ]
        _check_ids(record, file, path, problems)
        found.append(problems)
    return found


# Validating many records is CPU-bound: from this many on, forked workers share the work.
PARALLEL_FROM = 2000
PARALLEL_SPAN = 500
_shared: tuple[str, list[Any], str, list[Any]] | None = None  # what the workers check


def _shared_problems(span: tuple[int, int]) -> list[list[str]]:
    if _shared is None:  # pragma: no cover - set before the workers are forked
        raise RuntimeError("nothing to check")
    entity, records, file, prefix = _shared
    return _record_problems(entity, records, file, prefix, range(*span))


def _all_problems(entity: str, records: list[Any], file: str, prefix: list[Any]) -> list[list[str]]:
    global _shared  # handed to the forked workers
    workers = min(os.cpu_count() or 1, 8)
    if (
        len(records) < PARALLEL_FROM
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return _record_problems(entity, records, file, prefix, range(len(records)))
    validator(entity)  # built once, before forking
    spans = [
        (start, min(start + PARALLEL_SPAN, len(records)))
        for start in range(0, len(records), PARALLEL_SPAN)
    ]
    _shared = (entity, records, file, prefix)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [problems for part in pool.map(_shared_problems, spans) for problems in part]
    finally:
        _shared = None


def _check(
    entity: str, records: list[Any], file: str, prefix: list[Any], into: HSDSInput
) -> list[dict[str, Any]]:
    valid = []
    problems = into.problems
    seen = into.seen.setdefault(entity, {})
    for index, (record, found) in enumerate(
        zip(records, _all_problems(entity, records, file, prefix), strict=True)
    ):
        problems += found
        if not found:
            where = f"{file}: {_path([*prefix, index])}"
            if record["id"] in seen:
                problems.append(
                    f"{where}.id: duplicate id {record['id']} (also at {seen[record['id']]})"
                )
                continue
            seen[record["id"]] = where
            valid.append(record)
    return valid


def read_file(path: Path, into: HSDSInput) -> None:
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        into.problems.append(f"{name}: cannot read the file ({error})")
        return
    except json.JSONDecodeError as error:
        into.problems.append(
            f"{name}: line {error.lineno} column {error.colno}: invalid JSON ({error.msg})"
        )
        return
    if isinstance(data, dict) and ("taxonomies" in data or "taxonomy_terms" in data):
        into.taxonomies += _check(
            "taxonomy", data.get("taxonomies", []), name, ["taxonomies"], into
        )
        into.taxonomy_terms += _check(
            "taxonomy_term", data.get("taxonomy_terms", []), name, ["taxonomy_terms"], into
        )
        return
    found = _records(data)
    if found is None or not found[0]:
        into.problems.append(f"{name}: $: expected HSDS records (a page, a list or one object)")
        return
    records, prefix = found
    entity = _entity_of(name, records[0])
    if entity is None:
        into.problems.append(f"{name}: $: cannot tell whether these are services or organizations")
        return
    target = into.services if entity == "service" else into.organizations
    target += _check(entity, records, name, prefix, into)


def read_input(path: Path) -> HSDSInput:
    into = HSDSInput()
    if path.is_dir():
        files = [path / name for name in FOLDER_FILES if (path / name).exists()]
        if not files:
            into.problems.append(f"{path}: no {', '.join(FOLDER_FILES)} in this folder")
        for file in files:
            read_file(file, into)
    elif path.is_file():
        read_file(path, into)
    else:
        into.problems.append(f"{path}: no such file or folder")
    return into
