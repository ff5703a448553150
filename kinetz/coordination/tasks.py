"""Background tasks of coordination. Tasks take primary keys, never model instances."""

from django.utils import timezone
from django_tasks import task

from kinetz.coordination import duplicates
from kinetz.coordination.models import LinkageRun, RunState


@task()
def run_duplicate_search(run_id: str) -> int:
    """Carry out a queued duplicate search; returns the number of clusters found."""
    # Claim the run in one UPDATE, so that two workers never carry out the same search.
    claimed = LinkageRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, modified=timezone.now()
    )
    if not claimed:
        return 0
    run = duplicates.execute(LinkageRun.objects.select_related("region").get(pk=run_id))
    return len(run.services) + len(run.organizations)
