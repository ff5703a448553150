"""Background tasks of the search index. Tasks take primary keys, never model instances.

The task worker is the one writer of the index (a file lock serialises writers); web processes
only read it, so a request never waits for an index update or a rebuild.
"""

import os

from django_tasks import task

os.environ.setdefault("OMP_NUM_THREADS", "1")


@task()
def update_offer(service_id: str) -> bool:
    """Reindex one offer: add or replace it when published, remove it otherwise."""
    from kinetz.finder.documents import document_for
    from kinetz.finder.index import update_document

    return update_document(str(service_id), document_for(str(service_id)))


@task()
def rebuild_index() -> int:
    """Build a new generation of the whole index and swap it in; returns the document count."""
    from kinetz.finder.index import build_generation

    return build_generation().documents
