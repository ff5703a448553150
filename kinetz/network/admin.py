"""Operators' view of the working groups and cooperations; staff use the pages under /network/."""

from django.contrib import admin

from kinetz.network.models import Cooperation, Meeting, WorkingGroup, WorkingGroupMembership


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = WorkingGroupMembership
    extra = 0
    raw_id_fields = ["organization", "delegate"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "region", "chair", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["chair"]
    inlines = [MembershipInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["group", "starts_at", "place", "minutes_approved_at"]
    list_filter = ["group__region"]
    raw_id_fields = ["group", "minutes_author"]


@admin.register(Cooperation)
class CooperationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["organization_a", "organization_b", "kind", "started", "ended", "region"]
    list_filter = ["region", "kind"]
    raw_id_fields = ["organization_a", "organization_b"]
