"""Operators' view of the duplicate decisions; coordinators use /staff/coordination/duplicates/.

Merges are changed only through kinetz.coordination.merging (their undo depends on what they
recorded), so the admin shows them read-only.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kinetz.coordination.models import LinkageRun, Merge, NotTheSame


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Merge)
class MergeAdmin(ReadOnlyAdmin):
    list_display = ["merged_name", "survivor_name", "kind", "region", "created", "undone_at"]
    list_filter = ["region", "kind"]
    search_fields = ["merged_name", "survivor_name", "merged_id", "survivor_id"]


@admin.register(NotTheSame)
class NotTheSameAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["kind", "left_id", "right_id", "region", "decided_by", "created"]
    list_filter = ["region", "kind"]
    raw_id_fields = ["decided_by"]


@admin.register(LinkageRun)
class LinkageRunAdmin(ReadOnlyAdmin):
    list_display = ["region", "state", "created", "finished_at"]
    list_filter = ["region", "state"]
    exclude = ["services", "organizations"]
