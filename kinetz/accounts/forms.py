from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kinetz.accounts.models import User
from kinetz.accounts.roles import Role
from kinetz.core.forms import KernForm, KernFormMixin, KernModelForm


class SignInForm(KernForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if email and password:
            # Passing the request lets django-axes count failures and lock the account.
            user = authenticate(self.request, email=email.lower(), password=password)
            if user is None or not user.is_active:
                raise forms.ValidationError(
                    _("The e-mail address or the password is not correct."), code="invalid_login"
                )
            self.user = user
        return data


class CodeForm(KernForm):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class UserForm(KernModelForm):
    """A region admin creates or edits a user of their own region."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    class Meta:
        model = User
        fields = ["email", "full_name", "role", "preferred_language", "is_active"]
        widgets = {"preferred_language": forms.Select}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].widget = forms.Select(
            choices=settings.LANGUAGES, attrs={"class": "kern-form-input__select"}
        )

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        clash = User.objects.filter(email=email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A user with this e-mail address already exists."))
        return email


class KernPasswordResetForm(KernFormMixin, PasswordResetForm):
    pass


class KernSetPasswordForm(KernFormMixin, SetPasswordForm):  # type: ignore[type-arg]
    pass
