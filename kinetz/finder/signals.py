"""Keep the search index in step with offers: enqueue `update_offer` after every commit.

Saving or deleting a Service (publish, change, archive go through `Service.save`) or one of its
translations enqueues the task once the transaction commits; the task itself decides whether
the offer is (still) published. Bulk imports send no signals: `import_hsds` enqueues a rebuild.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from kinetz.offers.models import Service, ServiceTranslation


def enqueue_update(service_id: Any) -> None:
    from kinetz.finder.index import current_generation
    from kinetz.finder.tasks import update_offer

    if current_generation() is None:
        return  # no index yet: the first rebuild will include the offer
    transaction.on_commit(lambda: update_offer.enqueue(str(service_id)))


def _service_changed(sender: type[Service], instance: Service, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    enqueue_update(instance.pk)


def _translation_changed(
    sender: type[ServiceTranslation], instance: ServiceTranslation, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    enqueue_update(instance.service_id)


def connect() -> None:
    post_save.connect(_service_changed, sender=Service, dispatch_uid="finder.service_saved")
    post_delete.connect(_service_changed, sender=Service, dispatch_uid="finder.service_deleted")
    post_save.connect(
        _translation_changed, sender=ServiceTranslation, dispatch_uid="finder.translation_saved"
    )
    post_delete.connect(
        _translation_changed,
        sender=ServiceTranslation,
        dispatch_uid="finder.translation_deleted",
    )
