"""Compare two versions of an offer field by field, in words a reviewer reads.

The values are `revisions.OfferData` dicts; the result names each field with its label and
shows terms, languages and times by name, in the reader's language.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from kinetz.offers.models import Schedule, ServiceStatus, TaxonomyTerm, Vocabulary
from kinetz.offers.revisions import FIELD_LABELS, LANGUAGE_LABELS, WEEKDAYS, OfferData


@dataclass
class FieldChange:
    key: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def schedule_text(row: dict[str, Any]) -> str:
    """One weekly time in the reader's language, e.g. 'Monday, Wednesday 09:00-12:00'."""
    labels = dict(WEEKDAYS)
    text = f"{', '.join(str(labels[d]) for d in row['days'])} {row['opens_at']}–{row['closes_at']}"
    if row.get("valid_from") or row.get("valid_to"):
        text += f" ({row.get('valid_from') or '…'} – {row.get('valid_to') or '…'})"
    if row.get("notes"):
        text += f" – {row['notes']}"
    return text


def _display(key: str, value: Any, terms: dict[str, str], schedules: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return ""
    if key in Vocabulary.values:
        return "; ".join(terms.get(term_id, term_id) for term_id in value)
    if key == "languages":
        return ", ".join(str(LANGUAGE_LABELS.get(code, code)) for code in value)
    if key == "schedules":
        return "; ".join(schedule_text(row) for row in value)
    if key == "kept_schedules":
        return "; ".join(schedules.get(pk, pk) for pk in value)
    if key == "status":
        return str(ServiceStatus(value).label) if value in ServiceStatus.values else str(value)
    if key == "free":
        return str(_("yes") if value else _("no"))
    return str(value)


def changes(before: OfferData | None, after: OfferData) -> list[FieldChange]:
    """Field-by-field comparison with labels; with no `before` (a new offer) every filled field."""
    term_ids = {
        t for data in (before or {}, after) for v in Vocabulary.values for t in data.get(v, [])
    }
    terms = {str(t.pk): t.name for t in TaxonomyTerm.objects.filter(pk__in=term_ids)}
    schedule_ids = {pk for data in (before or {}, after) for pk in data.get("kept_schedules", [])}
    schedules = {
        str(s.pk): s.description or s.byday for s in Schedule.objects.filter(pk__in=schedule_ids)
    }
    result = []
    for key, label in FIELD_LABELS.items():
        old = _display(key, (before or {}).get(key), terms, schedules)
        new = _display(key, after.get(key), terms, schedules)
        if (before is None and new) or old != new:
            result.append(FieldChange(key=key, label=str(label), before=old, after=new))
    return result
