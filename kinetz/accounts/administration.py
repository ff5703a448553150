"""User administration by a region admin: invite, change role, deactivate."""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kinetz.accounts.models import User
from kinetz.core.audit import log_action
from kinetz.territory.models import Region


class AdministrationError(Exception):
    pass


def send_invitation(request: HttpRequest, user: User) -> None:
    """E-mail a link to set a first password, in the invited user's language."""
    context = {
        "user": user,
        "link": request.build_absolute_uri(
            reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        ),
    }
    with translation.override(user.preferred_language):
        subject = render_to_string("accounts/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def invite_user(request: HttpRequest, admin: User, region: Region, user: User) -> User:
    user.region = region
    user.set_unusable_password()
    user.save()
    log_action(admin, "user.invited", user, role=user.role)
    transaction.on_commit(lambda: send_invitation(request, user))
    return user


@transaction.atomic
def update_user(admin: User, user: User, changed: list[str]) -> User:
    if user.pk == admin.pk and ("role" in changed or "is_active" in changed):
        raise AdministrationError("You cannot change your own role or deactivate yourself.")
    user.save()
    log_action(admin, "user.changed", user, fields=changed, role=user.role, active=user.is_active)
    return user
