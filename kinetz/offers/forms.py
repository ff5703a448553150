"""Forms of the provider self-service and the review: validate everything before writing."""

import re
from datetime import time
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from kinetz.core.forms import KernForm, KernModelForm
from kinetz.network.models import Organization
from kinetz.offers.models import Schedule, ServiceStatus, TaxonomyTerm, Vocabulary
from kinetz.offers.revisions import (
    FIELD_LABELS,
    LANGUAGE_LABELS,
    OFFER_LANGUAGES,
    WEEKDAYS,
    OfferData,
    canonical_languages,
)

phone_number = RegexValidator(
    re.compile(r"^\+?[0-9][0-9 ()/\-]{3,40}$"),
    _("Enter a phone number: digits, spaces and + ( ) / - only."),
)
postcode = RegexValidator(re.compile(r"^[0-9]{5}$"), _("Enter a postcode of five digits."))


class KernChoicesMixin:
    """Checkbox lists get the KERN checkbox class on each box."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "kern-form-check__checkbox"


def _text(label: Any, required: bool = False, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        strip=True,
        **kwargs,
    )


# The organisation ----------------------------------------------------------------------------


class OrganizationForm(KernModelForm):
    website = forms.URLField(
        label=_("Website"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Organization
        fields = ["name", "description", "email", "website"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class PhoneRowForm(KernForm):
    id = forms.CharField(required=False, widget=forms.HiddenInput)
    number = forms.CharField(label=_("Phone number"), max_length=60, validators=[phone_number])
    description = forms.CharField(
        label=_("Description (e.g. office, counselling)"), max_length=300, required=False
    )


class ContactRowForm(KernForm):
    id = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Function"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)


class KernFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """Rows that can be removed: the remove box looks and reads like the other checkboxes."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "kern-form-check__checkbox"


PhoneFormSet = forms.formset_factory(
    PhoneRowForm, formset=KernFormSet, extra=1, can_delete=True, max_num=20
)
ContactFormSet = forms.formset_factory(
    ContactRowForm, formset=KernFormSet, extra=1, can_delete=True, max_num=20
)


def formset_rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The filled, not deleted rows of a valid formset, in order."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if data and not data.get("DELETE"):
            rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows


# An offer ----------------------------------------------------------------------------------


def _terms(vocabulary: str) -> list[tuple[str, str]]:
    terms = TaxonomyTerm.objects.filter(taxonomy__vocabulary=vocabulary).order_by("name")
    return [(str(term.pk), term.name) for term in terms]


class OfferForm(KernChoicesMixin, KernForm):
    name = forms.CharField(label=FIELD_LABELS["name"], max_length=300)
    description = _text(FIELD_LABELS["description"], required=True, rows=6)
    status = forms.ChoiceField(label=FIELD_LABELS["status"], choices=ServiceStatus.choices)
    handlungsfeld = forms.MultipleChoiceField(
        label=FIELD_LABELS["handlungsfeld"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one field of action.")},
    )
    zielgruppe = forms.MultipleChoiceField(
        label=FIELD_LABELS["zielgruppe"], widget=forms.CheckboxSelectMultiple, required=False
    )
    eligibility_description = _text(FIELD_LABELS["eligibility_description"])
    minimum_age = forms.IntegerField(
        label=FIELD_LABELS["minimum_age"], min_value=0, max_value=120, required=False
    )
    maximum_age = forms.IntegerField(
        label=FIELD_LABELS["maximum_age"], min_value=0, max_value=120, required=False
    )
    free = forms.BooleanField(label=FIELD_LABELS["free"], required=False)
    fees_description = _text(
        FIELD_LABELS["fees_description"],
        help_text=_("Fees, who pays less or nothing, what to bring along."),
    )
    languages = forms.MultipleChoiceField(
        label=FIELD_LABELS["languages"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )
    application_process = _text(FIELD_LABELS["application_process"])
    interpretation_services = _text(
        FIELD_LABELS["interpretation_services"],
        help_text=_("For example: interpreters on request, sign language."),
    )
    accessibility = _text(
        FIELD_LABELS["accessibility"],
        help_text=_("Step-free access, lift, accessible toilet, …"),
    )
    location_name = forms.CharField(
        label=FIELD_LABELS["location_name"], max_length=300, required=False
    )
    street = forms.CharField(label=FIELD_LABELS["street"], max_length=300, required=False)
    postal_code = forms.CharField(
        label=FIELD_LABELS["postal_code"], max_length=5, required=False, validators=[postcode]
    )
    city = forms.CharField(label=FIELD_LABELS["city"], max_length=200, required=False)
    kept_schedules = forms.MultipleChoiceField(
        label=FIELD_LABELS["kept_schedules"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Times this form cannot edit. Untick one to remove it."),
    )
    url = forms.URLField(
        label=FIELD_LABELS["url"], max_length=500, required=False, assume_scheme="https"
    )
    email = forms.EmailField(label=FIELD_LABELS["email"], required=False)
    contact_name = forms.CharField(
        label=FIELD_LABELS["contact_name"], max_length=200, required=False
    )
    contact_email = forms.EmailField(label=FIELD_LABELS["contact_email"], required=False)
    contact_phone = forms.CharField(
        label=FIELD_LABELS["contact_phone"],
        max_length=60,
        required=False,
        validators=[phone_number],
    )
    note = _text(
        _("Message to the integration centre"),
        help_text=_("Optional: what changed, or anything the reviewers should know."),
    )

    def __init__(self, *args: Any, kept: list[Schedule] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial_codes = self.initial.get("languages") or []
        extra = [(c, c) for c in initial_codes if c not in LANGUAGE_LABELS]
        self._choices("languages").choices = [
            (code, label) for code, _name, label in OFFER_LANGUAGES
        ] + extra
        self._choices("handlungsfeld").choices = _terms(Vocabulary.HANDLUNGSFELD)
        self._choices("zielgruppe").choices = _terms(Vocabulary.ZIELGRUPPE)
        self._choices("kept_schedules").choices = [
            (str(s.pk), s.description or s.byday or str(_("(no description)"))) for s in kept or []
        ]
        if not kept:
            del self.fields["kept_schedules"]

    def _choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and high < low:
            self.add_error("maximum_age", _("The maximum age cannot be below the minimum age."))
        if (
            not data.get("free")
            and not data.get("fees_description")
            and not self.has_error("fees_description")
        ):
            self.add_error(
                "fees_description",
                _("Describe the costs, or tick “Free of charge” if the offer costs nothing."),
            )
        address = [data.get(k) for k in ("street", "postal_code", "city")]
        place_named = data.get("location_name") or data.get("accessibility")
        if any(address) or place_named:
            for key in ("street", "postal_code", "city"):
                if not data.get(key) and not self.has_error(key):
                    self.add_error(key, _("Give the full address of the place: this is missing."))
        return data


class ScheduleForm(KernChoicesMixin, KernForm):
    """One weekly time: days, opening hours, optionally valid from/to."""

    id = forms.CharField(required=False, widget=forms.HiddenInput)
    days = forms.MultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day.")},
    )
    opens_at = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    valid_from = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Note (e.g. not in the school holidays)"), max_length=300, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if isinstance(opens, time) and isinstance(closes, time) and closes <= opens:
            self.add_error("closes_at", _("The end must be after the start."))
        first, last = data.get("valid_from"), data.get("valid_to")
        if first and last and last < first:
            self.add_error("valid_to", _("The last day cannot be before the first day."))
        return data


ScheduleFormSet = forms.formset_factory(
    ScheduleForm, formset=KernFormSet, extra=1, can_delete=True, max_num=14, validate_max=True
)


def offer_data(form: OfferForm, schedules: forms.BaseFormSet[Any]) -> OfferData:
    """The proposal from valid forms, in the shape of `revisions.OfferData`."""
    data: OfferData = {
        key: value.replace("\r\n", "\n") if isinstance(value, str) else value
        for key, value in form.cleaned_data.items()
        if key != "note"
    }
    data["languages"] = canonical_languages(data["languages"])
    data.setdefault("kept_schedules", [])
    data["kept_schedules"] = sorted(data["kept_schedules"])
    for vocabulary in Vocabulary.values:
        data[vocabulary] = sorted(data[vocabulary])
    rows = []
    for row in formset_rows(schedules):
        rows.append(
            {
                "id": row["id"],
                "days": [code for code, _label in WEEKDAYS if code in row["days"]],
                "opens_at": row["opens_at"].strftime("%H:%M"),
                "closes_at": row["closes_at"].strftime("%H:%M"),
                "valid_from": row["valid_from"].isoformat() if row["valid_from"] else "",
                "valid_to": row["valid_to"].isoformat() if row["valid_to"] else "",
                "notes": row["notes"],
            }
        )
    data["schedules"] = rows
    return data


# Review ------------------------------------------------------------------------------------


class ReviewForm(KernForm):
    PUBLISH = "publish"
    RETURN = "return"

    decision = forms.ChoiceField(
        choices=[(PUBLISH, _("Publish")), (RETURN, _("Return to the editor"))],
        widget=forms.HiddenInput,
    )
    comment = _text(
        _("Comment for the editor"),
        help_text=_("Required when you return the offer; the editor receives it by e-mail."),
        rows=4,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.RETURN and not data.get("comment"):
            self.add_error("comment", _("Say what the editor should change."))
        return data


class ArchiveForm(KernForm):
    note = _text(
        _("Why should the offer be archived?"),
        help_text=_("Optional; for example: the course has ended."),
    )
