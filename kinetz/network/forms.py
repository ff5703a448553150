"""Forms of the network pages; every choice of organisation or contact is limited to one region."""

from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinetz.core.forms import KernForm, KernModelForm
from kinetz.network.models import (
    Contact,
    Cooperation,
    Meeting,
    Organization,
    WorkingGroup,
    WorkingGroupMembership,
)
from kinetz.offers.taxonomy import fields_of_action
from kinetz.territory.models import Region


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def organizations_of(region: Region) -> QuerySet[Organization]:
    return Organization.objects.in_region(region).order_by("name")


def contacts_of(organization: Organization | None) -> QuerySet[Contact]:
    """Contacts kept for an organisation: its own and those of its offers."""
    if organization is None:
        return Contact.objects.none()
    return (
        Contact.objects.filter(Q(organization=organization) | Q(service__organization=organization))
        .exclude(name="", email="")
        .order_by("name", "email")
    )


class ContactChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        parts = [obj.name or obj.email]
        if obj.title:
            parts.append(obj.title)
        if obj.name and obj.email:
            parts.append(obj.email)
        return " – ".join(parts)


class WorkingGroupForm(KernModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["name", "description", "fields_of_action", "chair", "is_active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "fields_of_action": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "chair": _("The organisation that convenes the group; it is added as a member."),
            "is_active": _("Inactive groups keep their records but leave the network graph."),
        }

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        self.region = region
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = organizations_of(region)  # type: ignore[attr-defined]
        terms = self.fields["fields_of_action"]
        terms.queryset = fields_of_action()  # type: ignore[attr-defined]
        terms.widget.attrs["class"] = "kern-form-check__checkbox"

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        clash = WorkingGroup.objects.in_region(self.region).filter(name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A working group with this name already exists."))
        return name


class MembershipForm(KernModelForm):
    """Add an organisation to a group, or change a member's role and delegate."""

    delegate = ContactChoiceField(
        label=_("Delegate"),
        queryset=Contact.objects.none(),
        required=False,
        help_text=_("The person the organisation sends, from its contacts."),
    )

    class Meta:
        model = WorkingGroupMembership
        fields = ["organization", "delegate", "role", "joined"]
        widgets = {"joined": DateInput}

    def __init__(self, *args: Any, group: WorkingGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.group = group
        organization_field = self.fields["organization"]
        if not self.instance._state.adding:
            # A membership stays with its organisation; another organisation is a new member.
            del self.fields["organization"]
            organization = self.instance.organization
        else:
            current = group.memberships.current().values("organization_id")
            organization_field.queryset = organizations_of(group.region).exclude(  # type: ignore[attr-defined]
                pk__in=current
            )
            organization = self._chosen_organization(organization_field)
        self.fields["delegate"].queryset = contacts_of(organization)  # type: ignore[attr-defined]
        if organization is None:
            self.fields["delegate"].help_text = _(
                "Choose the organisation first; its contacts are then offered here. "
                "You can also choose the delegate later on the member's page."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        joined, left = data.get("joined"), self.instance.left
        if joined and left and joined > left:
            self.add_error("joined", _("The joining date cannot be after the leaving date."))
        return data

    def _chosen_organization(self, organization_field: forms.Field) -> Organization | None:
        raw = self.data.get(self.add_prefix("organization")) or self.initial.get("organization")
        if not raw:
            return None
        try:
            return organization_field.clean(raw)  # type: ignore[no-any-return]
        except forms.ValidationError:
            return None


class MeetingForm(KernModelForm):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    time = forms.TimeField(label=_("Time"), widget=TimeInput)

    class Meta:
        model = Meeting
        fields = ["place", "agenda"]
        widgets = {"agenda": forms.Textarea(attrs={"rows": 6})}

    field_order = ["date", "time", "place", "agenda"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            local = timezone.localtime(self.instance.starts_at)
            self.initial.setdefault("date", local.date())
            self.initial.setdefault("time", local.time().replace(second=0, microsecond=0))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, hour = data.get("date"), data.get("time")
        if day and isinstance(hour, time):
            self.instance.starts_at = timezone.make_aware(datetime.combine(day, hour))
        return data


class MinutesForm(KernForm):
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50_000,
        help_text=_(
            "Decisions, tasks and who does them. Plain text; blank lines start paragraphs."
        ),
    )
    approved = forms.BooleanField(
        label=_("The minutes are approved and may be shown to everyone in the network"),
        required=False,
    )


class CooperationForm(KernModelForm):
    class Meta:
        model = Cooperation
        fields = ["organization_a", "organization_b", "kind", "description", "started", "ended"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "started": DateInput,
            "ended": DateInput,
        }

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.region = region
        for name in ("organization_a", "organization_b"):
            self.fields[name].queryset = organizations_of(region)  # type: ignore[attr-defined]


class EndForm(KernForm):
    """The date a membership or cooperation ends (today unless given)."""

    on = forms.DateField(label=_("Ends on"), widget=DateInput, required=False)
