"""Forms of the catalogue's staff pages: vocabulary terms and translations of offers."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kinetz.core.forms import KernForm
from kinetz.core.languages import direction
from kinetz.offers import taxonomy
from kinetz.offers.models import Taxonomy, TaxonomyTerm
from kinetz.offers.translating import FieldInput, FieldTranslation, TranslationStatus


class TermChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})" if obj.code else str(obj.name)


class TermForm(KernForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=taxonomy.CODE_MAX_LENGTH,
        help_text=_(
            "Lower-case letters, digits and hyphens, e.g. hf-sprache. "
            "Used in filters and links; it cannot be changed later."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = TermChoiceField(
        label=_("Parent term"),
        queryset=TaxonomyTerm.objects.none(),
        required=False,
        empty_label=_("none (top level)"),
    )

    def __init__(
        self, *args: Any, vocabulary: Taxonomy, term: TaxonomyTerm | None = None, **kwargs: Any
    ) -> None:
        if term is not None:
            kwargs.setdefault(
                "initial",
                {"name": term.name, "description": term.description, "parent": term.parent_id},
            )
        super().__init__(*args, **kwargs)
        parents = TaxonomyTerm.objects.filter(taxonomy=vocabulary).order_by("name")
        if term is not None:
            del self.fields["code"]  # the code stays; filters and links use it
            parents = parents.exclude(pk=term.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class MergeForm(KernForm):
    target = TermChoiceField(
        label=_("Merge into"),
        queryset=TaxonomyTerm.objects.none(),
        help_text=_("The offers tagged with this term get the chosen term instead."),
    )

    def __init__(self, *args: Any, term: TaxonomyTerm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (  # type: ignore[attr-defined]
            TaxonomyTerm.objects.filter(taxonomy=term.taxonomy).exclude(pk=term.pk).order_by("name")
        )


# Short one-line fields; every other translatable field is a paragraph of text.
SINGLE_LINE_FIELDS = frozenset({"name"})


class TranslationForm(KernForm):
    """One offer in one language: a text box per field, the German text shown beside it."""

    def __init__(
        self,
        *args: Any,
        language: str,
        fields: dict[str, FieldTranslation],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {f"text_{name}": item.text for name, item in fields.items()})
        super().__init__(*args, **kwargs)
        self.items = fields
        attrs = {"lang": language, "dir": direction(language)}
        for name, item in fields.items():
            widget: forms.Widget = (
                forms.TextInput(attrs=attrs)
                if name in SINGLE_LINE_FIELDS
                else forms.Textarea(attrs={**attrs, "rows": 4})
            )
            self.fields[f"text_{name}"] = forms.CharField(
                label=item.label, required=False, widget=widget, max_length=20000
            )
            if item.status == TranslationStatus.OUTDATED:
                self.fields[f"confirm_{name}"] = forms.BooleanField(
                    label=_("The translation still matches the current German text"),
                    required=False,
                )
        # Refresh the widgets' KERN classes for the fields added after KernForm's set-up.
        for field in self.fields.values():
            css = (
                "kern-form-check__checkbox"
                if isinstance(field.widget, forms.CheckboxInput)
                else "kern-form-input__input"
            )
            if css not in field.widget.attrs.get("class", ""):
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

    def rows(self) -> list[dict[str, Any]]:
        """Per field: the German source, the translation input, its status and confirmation."""
        return [
            {
                "item": item,
                "field": self[f"text_{name}"],
                "confirm": self[f"confirm_{name}"] if f"confirm_{name}" in self.fields else None,
            }
            for name, item in self.items.items()
        ]

    def entered(self) -> dict[str, FieldInput]:
        """The fields the request carried; a field left out of the request stays untouched."""
        data = self.cleaned_data
        return {
            name: FieldInput(
                text=data.get(f"text_{name}", ""), confirm=bool(data.get(f"confirm_{name}"))
            )
            for name in self.items
            if f"text_{name}" in self.data
        }
