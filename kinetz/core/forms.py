"""Form base that renders Django fields with the KERN UX classes."""

from typing import Any

from django import forms


class KernFormMixin:
    """Adds KERN classes to widgets and links error messages to their inputs."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "kern-form-input__select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "kern-form-check__checkbox"
            else:
                css = "kern-form-input__input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        errors: dict[str, Any] = getattr(self, "_errors", None) or {}
        for name in errors:
            if name in self.fields:
                widget = self.fields[name].widget
                auto_id = self[name].auto_id  # type: ignore[index]
                widget.attrs["aria-describedby"] = f"{auto_id}_error"
                widget.attrs["class"] = (
                    f"{widget.attrs.get('class', '')} kern-form-input__input--error"
                )


class KernForm(KernFormMixin, forms.Form):
    pass


class KernModelForm(KernFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass
