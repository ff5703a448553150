"""Users of kinetz: e-mail login, one role in one region."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinetz.accounts.roles import TWO_FACTOR_ROLES, Capability, Role, role_has
from kinetz.core.models import TimeStampedModel
from kinetz.core.scoping import RegionScopedQuerySet


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def for_user(self, user: "User") -> "models.QuerySet[User]":
        """The users a region admin may see: their own region's."""
        return UserQuerySet(self.model, using=self._db).for_user(user)


class UserQuerySet(RegionScopedQuerySet["User"]):
    pass


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "territory.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # For provider editors: the organisation whose data they keep up to date.
    organization = models.ForeignKey(
        "network.Organization",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="editors",
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, default="de")
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access (for operators); unrelated to the KI roles.
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def needs_two_factor(self) -> bool:
        # Operators with admin access can reach everything, so they need a second factor too.
        return self.role in TWO_FACTOR_ROLES or self.is_superuser or self.is_staff

    def can(self, capability: Capability) -> bool:
        return bool(self.is_active and self.role and role_has(self.role, capability))

    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""
