"""Helpers of the self-service and review tests: filled-in offer forms."""

from typing import Any

from django.test import Client

from kinetz.offers.models import Service, TaxonomyTerm


def offer_post(terms: dict[str, TaxonomyTerm], **overrides: Any) -> dict[str, Any]:
    """A complete, valid POST of the offer form; `overrides` replace or add fields."""
    data: dict[str, Any] = {
        "name": "Deutschkurs am Abend",
        "description": "Deutsch lernen nach der Arbeit, Niveau A1 bis B1.",
        "status": "active",
        "handlungsfeld": [str(terms["sprache"].pk)],
        "zielgruppe": [str(terms["frauen"].pk)],
        "eligibility_description": "Erwachsene mit wenig Deutschkenntnissen.",
        "minimum_age": "16",
        "maximum_age": "",
        "free": "on",
        "fees_description": "",
        "languages": ["de", "ar"],
        "application_process": "Anmeldung im Kursbüro.",
        "interpretation_services": "",
        "accessibility": "Aufzug vorhanden.",
        "location_name": "VHS-Haus",
        "street": "Hagsche Straße 7",
        "postal_code": "47533",
        "city": "Kleve",
        "url": "https://vhs-kleve.example.org/abendkurs",
        "email": "kurse@vhs-kleve.example.org",
        "contact_name": "Zahra Hermsen",
        "contact_email": "z.hermsen@vhs-kleve.example.org",
        "contact_phone": "02821 000150",
        "note": "",
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "14",
        "schedules-0-id": "",
        "schedules-0-days": ["MO", "WE"],
        "schedules-0-opens_at": "18:00",
        "schedules-0-closes_at": "20:15",
        "schedules-0-valid_from": "2026-01-12",
        "schedules-0-valid_to": "2026-06-30",
        "schedules-0-notes": "nicht in den Schulferien",
        "action": "save",
    }
    data.update(overrides)
    return data


def edit_form_post(client: Client, service: Service, **overrides: Any) -> dict[str, Any]:
    """The offer form as the editor page fills it in, with `overrides` applied."""
    response = client.get(f"/offers/{service.pk}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    schedules = response.context["schedules"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            value = ""
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    management = schedules.management_form
    for name in management.fields:
        data[f"schedules-{name}"] = management[name].value()
    for row in schedules.forms:
        for name in row.fields:
            value = row[name].value()
            if value in (None, False):
                continue
            key = f"{row.prefix}-{name}"
            data[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data["action"] = "save"
    data.update(overrides)
    return data
