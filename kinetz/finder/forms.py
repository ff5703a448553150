"""The public form to report a problem with an offer."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kinetz.core.forms import KernForm
from kinetz.finder.models import ProblemKind


class ProblemReportForm(KernForm):
    kind = forms.ChoiceField(
        label=_("What is wrong?"), choices=ProblemKind.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Please describe the problem"),
        help_text=_("For example: what is wrong, and what is correct if you know it."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_(
            "Only if we may ask you a question about your report. We use it for nothing else "
            "and delete it when the report is done."
        ),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Left empty by people (it is not shown); automated senders tend to fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The radio buttons get their KERN class in the template, not the input class.
        self.fields["kind"].widget.attrs["class"] = "kern-form-check__radio"

    @property
    def is_spam(self) -> bool:
        return bool(self.is_bound and self.data.get("website"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ProblemKind.OTHER and not cleaned.get("message", "").strip():
            self.add_error("message", _("Please describe what is wrong."))
        return cleaned
