"""User administration by a region admin: invite, change role, deactivate."""

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest

from kinetz.accounts.models import User
from kinetz.core.audit import log_action
from kinetz.territory.models import Region


class AdministrationError(Exception):
    pass


def send_password_link(request: HttpRequest, user: User) -> None:
    """E-mail a link to set a password (the same mechanism as 'forgot password')."""
    form = PasswordResetForm({"email": user.email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name="accounts/password_reset_subject.txt",
            email_template_name="accounts/password_reset_email.txt",
        )


@transaction.atomic
def invite_user(request: HttpRequest, admin: User, region: Region, user: User) -> User:
    user.region = region
    user.set_unusable_password()
    user.save()
    log_action(admin, "user.invited", user, role=user.role)
    transaction.on_commit(lambda: send_password_link(request, user))
    return user


@transaction.atomic
def update_user(admin: User, user: User, changed: list[str]) -> User:
    if user.pk == admin.pk and ("role" in changed or "is_active" in changed):
        raise AdministrationError("You cannot change your own role or deactivate yourself.")
    user.save()
    log_action(admin, "user.changed", user, fields=changed, role=user.role, active=user.is_active)
    return user
