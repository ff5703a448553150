"""The roles of kinetz (DESIGN §2) and what each may do, in one table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVIDER_EDITOR = "provider_editor", _("Provider editor")
    COORDINATOR = "coordinator", _("KI coordinator")
    COUNSELLOR = "counsellor", _("KI counsellor")
    SCHOOL_OFFICE = "school_office", _("School office")
    COUNCIL_VIEWER = "council_viewer", _("Council viewer")
    REGION_ADMIN = "region_admin", _("Region admin")


# Roles that must sign in with a second factor (TOTP).
TWO_FACTOR_ROLES = frozenset({Role.COUNSELLOR, Role.REGION_ADMIN})

# The KI's own staff: they see the staff pages of their region.
KI_STAFF_ROLES = frozenset({Role.COORDINATOR, Role.COUNSELLOR, Role.REGION_ADMIN})


class Capability(models.TextChoices):
    VIEW_STAFF_PAGES = "view_staff_pages"
    VIEW_TERRITORY = "view_territory"
    VIEW_NETWORK = "view_network"
    MANAGE_USERS = "manage_users"
    REVIEW_OFFERS = "review_offers"
    MANAGE_NETWORK = "manage_network"
    MANAGE_TAXONOMY = "manage_taxonomy"
    EXPORT_CATALOGUE = "export_catalogue"
    COORDINATE_OFFERS = "coordinate_offers"
    EDIT_OWN_ORGANIZATION = "edit_own_organization"
    VIEW_CASE_FILES = "view_case_files"
    VIEW_REPORTS = "view_reports"
    VIEW_PLACEMENTS_OF_SCHOOL = "view_placements_of_school"


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.PROVIDER_EDITOR: frozenset({Capability.EDIT_OWN_ORGANIZATION, Capability.VIEW_NETWORK}),
    Role.COORDINATOR: frozenset(
        {
            Capability.VIEW_STAFF_PAGES,
            Capability.VIEW_TERRITORY,
            Capability.VIEW_NETWORK,
            Capability.REVIEW_OFFERS,
            Capability.MANAGE_NETWORK,
            Capability.EXPORT_CATALOGUE,
            Capability.COORDINATE_OFFERS,
            Capability.VIEW_REPORTS,
        }
    ),
    Role.COUNSELLOR: frozenset(
        {
            Capability.VIEW_STAFF_PAGES,
            Capability.VIEW_TERRITORY,
            Capability.VIEW_NETWORK,
            Capability.VIEW_CASE_FILES,
            Capability.VIEW_REPORTS,
        }
    ),
    Role.SCHOOL_OFFICE: frozenset({Capability.VIEW_PLACEMENTS_OF_SCHOOL}),
    Role.COUNCIL_VIEWER: frozenset({Capability.VIEW_TERRITORY, Capability.VIEW_REPORTS}),
    Role.REGION_ADMIN: frozenset(
        {
            Capability.VIEW_STAFF_PAGES,
            Capability.VIEW_TERRITORY,
            Capability.VIEW_NETWORK,
            Capability.MANAGE_USERS,
            Capability.REVIEW_OFFERS,
            Capability.MANAGE_NETWORK,
            Capability.MANAGE_TAXONOMY,
            Capability.EXPORT_CATALOGUE,
            Capability.COORDINATE_OFFERS,
            Capability.VIEW_REPORTS,
        }
    ),
}


def role_has(role: str, capability: Capability) -> bool:
    try:
        return capability in CAPABILITIES[Role(role)]
    except ValueError:
        return False
