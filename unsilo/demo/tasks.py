"""The demo customer's follow-ups in. (Replies go out through the outbound queue,
`connectors/outbound.py`.)"""

from django.utils import timezone
from django_tasks import task

from unsilo.core.actor import Actor
from unsilo.core.models import Via


@task()
def demo_follow_up(item: dict) -> None:
    """The demo customer answers a reply: one message through the ingestion pipeline."""
    from unsilo.inbox.ingest import ingest

    ingest([{**item, "created_at": timezone.now().isoformat()}],
           Actor.system(via=Via.WORKER, label="demo connector"), "demo")
