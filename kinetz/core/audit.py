"""Audit trail: one call records an action, from views, API, commands and tasks alike."""

from typing import Any

from django.db import models

from kinetz.core.models import AuditEntry


def log_action(
    actor: Any, action: str, target: models.Model | None = None, **data: Any
) -> AuditEntry:
    region_id = getattr(target, "region_id", None) or getattr(actor, "region_id", None)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        region_id=region_id,
        data=data,
    )
