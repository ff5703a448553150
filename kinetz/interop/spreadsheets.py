"""The catalogue of a region as a spreadsheet for staff: CSV and XLSX, one row per offer.

CSV is written for German Excel: UTF-8 with a byte order mark (else Excel reads umlauts as
Windows-1252) and `;` as separator (Excel with a German locale splits on `;`, because `,` is
the decimal comma). Contact columns fall back to the organisation's details when the offer has
none of its own, as the public pages do.

Cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or
carriage return) are neutralised: in CSV with a leading apostrophe, in XLSX by storing them as
text marked with a quote prefix.
"""

import csv
import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kinetz.network.models import ActorType
from kinetz.offers.models import (
    ReviewState,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Vocabulary,
)
from kinetz.offers.taxonomy import read_place_and_field
from kinetz.territory.models import Municipality

CSV_DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML (and so XLSX) cannot hold; they are dropped from XLSX cells.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CHUNK = 500

Cell = str | int | datetime.date | None


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy translation
    width: int


COLUMNS = (
    Column("name", gettext_lazy("Offer"), 40),
    Column("organization", gettext_lazy("Organisation"), 32),
    Column("actor_type", gettext_lazy("Actor type"), 22),
    Column("municipalities", gettext_lazy("Municipalities"), 22),
    Column("address", gettext_lazy("Address"), 36),
    Column("handlungsfeld", gettext_lazy("Field of action"), 30),
    Column("zielgruppe", gettext_lazy("Target group"), 30),
    Column("languages", gettext_lazy("Languages"), 20),
    Column("costs", gettext_lazy("Costs"), 30),
    Column("minimum_age", gettext_lazy("Minimum age"), 10),
    Column("maximum_age", gettext_lazy("Maximum age"), 10),
    Column("schedule", gettext_lazy("Times"), 36),
    Column("review_state", gettext_lazy("Review state"), 18),
    Column("last_verified", gettext_lazy("Last verified"), 14),
    Column("email", gettext_lazy("E-mail address"), 30),
    Column("phone", gettext_lazy("Phone"), 20),
    Column("website", gettext_lazy("Website"), 32),
    Column("id", gettext_lazy("ID"), 38),
)

WEEKDAYS = {
    "MO": gettext_lazy("Mon"),
    "TU": gettext_lazy("Tue"),
    "WE": gettext_lazy("Wed"),
    "TH": gettext_lazy("Thu"),
    "FR": gettext_lazy("Fri"),
    "SA": gettext_lazy("Sat"),
    "SU": gettext_lazy("Sun"),
}


@dataclass
class ExportFilters:
    review_state: str = ""
    municipality: str = ""  # AGS
    handlungsfeld: str = ""  # term code
    ignored: tuple[str, ...] = ()  # parameters whose values were not understood

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if k != "ignored" and v}


def read_filters(params: Any, municipalities: QuerySet[Municipality]) -> ExportFilters:
    """Filters from query parameters; values that are not understood are dropped and named."""
    ignored = []
    state = params.get("review_state", "")
    if state and state not in ReviewState.values:
        ignored.append("review_state")
        state = ""
    municipality, field = read_place_and_field(params, municipalities, ignored)
    return ExportFilters(state, municipality, field, tuple(ignored))


def filter_services(services: QuerySet[Service], filters: ExportFilters) -> QuerySet[Service]:
    if filters.review_state:
        services = services.filter(review_state=filters.review_state)
    # Subqueries rather than joins: an offer at two places in one town stays one row.
    if filters.municipality:
        at = ServiceAtLocation.objects.filter(location__municipality__ags=filters.municipality)
        services = services.filter(pk__in=at.values("service_id"))
    if filters.handlungsfeld:
        tagged = ServiceAttribute.objects.filter(
            taxonomy_term__code=filters.handlungsfeld,
            taxonomy_term__taxonomy__vocabulary=Vocabulary.HANDLUNGSFELD,
        )
        services = services.filter(pk__in=tagged.values("service_id"))
    return services.order_by("name", "id")


def with_export_relations(services: QuerySet[Service]) -> QuerySet[Service]:
    """Everything a row reads, in a fixed number of queries per chunk of offers."""
    return services.select_related("organization").prefetch_related(
        "languages",
        "cost_options",
        "phones",
        "organization__phones",
        Prefetch("schedules", Schedule.objects.order_by("position")),
        Prefetch(
            "attributes",
            ServiceAttribute.objects.select_related("taxonomy_term__taxonomy"),
        ),
        Prefetch(
            "at_locations",
            ServiceAtLocation.objects.select_related("location__municipality").prefetch_related(
                "location__addresses", "schedules"
            ),
        ),
    )


def _join(values: Iterable[str]) -> str:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return ", ".join(seen)


def _address(service: Service) -> str:
    parts = []
    for link in service.at_locations.all():
        for address in link.location.addresses.all()[:1]:
            town = " ".join(p for p in (address.postal_code, address.city) if p)
            parts.append(", ".join(p for p in (address.address_1, town) if p))
    return " | ".join(dict.fromkeys(parts))


def _terms(service: Service, vocabulary: str) -> str:
    return _join(
        a.taxonomy_term.name
        for a in service.attributes.all()
        if a.taxonomy_term is not None
        and a.taxonomy_term.taxonomy is not None
        and a.taxonomy_term.taxonomy.vocabulary == vocabulary
    )


def _costs(service: Service) -> str:
    if service.fees_description:
        return service.fees_description
    options = []
    for option in service.cost_options.all():
        amount = f"{option.amount} {option.currency}".strip() if option.amount is not None else ""
        options.append(" ".join(p for p in (option.option, amount) if p))
    return "; ".join(o for o in options if o)


def schedule_text(schedule: Schedule) -> str:
    if schedule.description:
        return schedule.description
    days = ", ".join(
        str(WEEKDAYS.get(d.strip(), d.strip())) for d in schedule.byday.split(",") if d
    )
    hours = "–".join(t[:5] for t in (schedule.opens_at, schedule.closes_at) if t)
    return " ".join(p for p in (days, hours) if p)


def _schedule(service: Service) -> str:
    schedules = list(service.schedules.all())
    for link in service.at_locations.all():
        schedules.extend(link.schedules.all())
    return "; ".join(dict.fromkeys(t for t in map(schedule_text, schedules) if t))


def _phone(service: Service) -> str:
    phones = list(service.phones.all()) or list(service.organization.phones.all())
    return _join(p.number for p in phones)


def row(service: Service) -> dict[str, Cell]:
    organization = service.organization
    return {
        "name": service.name,
        "organization": organization.name,
        "actor_type": str(ActorType(organization.actor_type).label)
        if organization.actor_type in ActorType.values
        else organization.actor_type,
        "municipalities": _join(
            link.location.municipality.name
            for link in service.at_locations.all()
            if link.location.municipality is not None
        ),
        "address": _address(service),
        "handlungsfeld": _terms(service, Vocabulary.HANDLUNGSFELD),
        "zielgruppe": _terms(service, Vocabulary.ZIELGRUPPE),
        "languages": _join(lang.name or lang.code for lang in service.languages.all()),
        "costs": _costs(service),
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "schedule": _schedule(service),
        "review_state": str(ReviewState(service.review_state).label),
        "last_verified": service.last_verified,
        "email": service.email or organization.email,
        "phone": _phone(service),
        "website": service.url or organization.website,
        "id": str(service.pk),
    }


def rows(services: QuerySet[Service]) -> Iterator[dict[str, Cell]]:
    """Rows in chunks: memory stays flat however large the catalogue is."""
    for service in with_export_relations(services).iterator(chunk_size=CHUNK):
        yield row(service)


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if is_formula_like(text) else text


class _Line:
    """A file-like object whose `write` hands back the line the csv module wrote."""

    def write(self, value: str) -> str:
        return value


def in_language(chunks: Iterable[bytes], language: str) -> Iterator[bytes]:
    """Produce each chunk with `language` active.

    A streamed response is iterated after the view returned and the request's language was
    reset, so the labels and choice names would otherwise come out in the default language.
    """
    iterator = iter(chunks)
    while True:
        with translation.override(language):
            chunk = next(iterator, None)
        if chunk is None:
            return
        yield chunk


def csv_stream(
    records: Iterable[dict[str, Cell]], columns: Sequence[Column] = COLUMNS
) -> Iterator[bytes]:
    """CSV for German Excel (`;`, UTF-8 with BOM), line by line."""
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER)
    yield "\ufeff".encode()
    yield writer.writerow([str(c.label) for c in columns]).encode()
    for record in records:
        yield writer.writerow([csv_cell(record[c.key]) for c in columns]).encode()


def write_xlsx(
    records: Iterable[dict[str, Cell]],
    target: IO[bytes],
    columns: Sequence[Column] = COLUMNS,
    title: str | None = None,
) -> int:
    """Write the workbook to `target`; returns the number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title or _("Offers"))[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for record in records:
        sheet.append([_xlsx_cell(sheet, record[c.key]) for c in columns])
        count += 1
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    workbook.save(target)
    return count


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD.MM.YYYY"
        return cell
    if not isinstance(value, str):
        return value
    text = ILLEGAL_XML.sub("", value)
    if not is_formula_like(text):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # text, never a formula
    cell.quotePrefix = True  # stays text when edited in Excel
    return cell


def file_name(region_slug: str, extension: str, today: datetime.date) -> str:
    return f"{_('offers')}-{region_slug or 'kinetz'}-{today.isoformat()}.{extension}"
