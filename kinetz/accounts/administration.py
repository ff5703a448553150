"""User administration by a region admin: invite, change role, deactivate."""

from django.db import transaction

from kinetz.accounts.models import User
from kinetz.accounts.tasks import send_invitation
from kinetz.core.audit import log_action
from kinetz.territory.models import Region


class AdministrationError(Exception):
    pass


@transaction.atomic
def invite_user(admin: User, region: Region, user: User) -> User:
    user.region = region
    user.set_unusable_password()
    user.save()
    log_action(admin, "user.invited", user, role=user.role)
    transaction.on_commit(lambda: send_invitation.enqueue(str(user.pk)))
    return user


@transaction.atomic
def update_user(admin: User, user: User, changed: list[str]) -> User:
    if user.pk == admin.pk and ("role" in changed or "is_active" in changed):
        raise AdministrationError("You cannot change your own role or deactivate yourself.")
    user.save()
    log_action(admin, "user.changed", user, fields=changed, role=user.role, active=user.is_active)
    return user
