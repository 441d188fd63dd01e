"""Resolved history straight in the database, then the index built from it."""

import datetime
import itertools

from django.utils import timezone

from unsilo.experts.index import rebuild
from unsilo.inbox.models import ResolvedConsult, ResolvedExample

_n = itertools.count(1)


def resolved(person, text: str, *, silo=None, consulted=(), days_ago: float = 1,
             intent_text: str | None = None) -> ResolvedExample:
    at = timezone.now() - datetime.timedelta(days=days_ago)
    example = ResolvedExample.objects.create(
        source="import", key=f"t{next(_n)}", network="x", text=text,
        silo=silo or person.silo, person=person, created_at=at, resolved_at=at)
    for other in consulted:
        ResolvedConsult.objects.create(example=example, person=other)
    return example


def built():
    return rebuild()
