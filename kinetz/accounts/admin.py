from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from kinetz.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "region", "is_active"]
    list_filter = ["role", "region", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "preferred_language")}),
        ("Role", {"fields": ("role", "region", "is_active")}),
        ("Operator", {"fields": ("is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2", "role", "region")}),)
