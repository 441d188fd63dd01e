"""Seeding the demo company once into an empty database: its organisation (company.py), then
its inbox (inbox.py: history learned, rules, SLAs, conversations in every state), the
unregistered handles the account check finds, and a reply the demo network refuses.

The one entry point `unsilo demo` and the tests call; nothing in the apps imports the demo.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from unsilo.connectors import actions as connector_actions
from unsilo.connectors import discovery
from unsilo.core.actor import Actor
from unsilo.core.models import Role, User, Via
from unsilo.demo import company
from unsilo.demo import inbox as demo_inbox
from unsilo.demo import policy as demo_policy
from unsilo.inbox import actions, pipeline
from unsilo.inbox.ingest import store
from unsilo.inbox.models import Conversation, ResolvedExample, Status
from unsilo.learning.types import Incoming
from unsilo.org.models import Silo

# The names the unregistered-accounts check looks for, and traffic from handles that use them
# without being in the registry: an impostor fishing for card numbers, and a fan page.
BRAND_TERMS = "meridian\nmeridianhome"
SIGHTED = [
    ("x", "MeridianHomeHelp", "@jo_kim Sorry to hear that! DM us your order number and the card "
     "you paid with and we will refund you today."),
    ("x", "MeridianHomeHelp", "@sam_r We can fix this fast: send your account password by DM."),
    ("bluesky", "meridlan-support.bsky.social", "Having trouble with your Meridian dryer? Claim "
     "your free replacement at meridian-claims.example"),
    ("instagram", "meridian_fans_club", "Our new kitchen with the Meridian oven 😍"),
]


def is_seeded() -> bool:
    return Silo.objects.exists()


@transaction.atomic
def seed(actor: Actor | None = None, inbox: bool = True, progress=lambda step: None) -> dict:
    """Create Meridian Home in an empty database; returns the demo logins. With `inbox`, also
    its inbox: history imported and learned, rules, saved replies, SLAs and live conversations.
    `progress(step)` hears each step as it starts."""
    actor = actor or Actor.system(via=Via.SYSTEM, label="demo seed")
    progress("The organisation: silos, people, seats and accounts")
    result = company.seed_company(actor)
    progress("The publishing policy and certifications")
    result["policy_rules"] = demo_policy.seed_policy(actor)
    if inbox:
        result["inbox"] = seed_inbox(actor, progress)
        seed_sightings(actor)
        seed_failed_reply()
    return result


def seed_sightings(actor: Actor) -> int:
    """Brand terms, and messages from unregistered brand handles the scan then finds."""
    connector_actions.set_terms(actor, BRAND_TERMS)
    start = timezone.now() - datetime.timedelta(hours=len(SIGHTED))
    report = store([Incoming(id=f"demo-sighted-{i}", network=network, author=handle, text=text,
                             created_at=start + datetime.timedelta(hours=i))
                    for i, (network, handle, text) in enumerate(SIGHTED)], actor, "demo seed")
    pipeline.process_pending(report.new_ids)  # into the inbox now, as the rest of the seed
    return discovery.scan()


# The same answer twice from one X account, which X refuses as duplicate content: the Outbox
# and the second conversation show the refusal with Retry, Edit and Cancel, as a real failure
# would. (A reply too long for a network never gets that far: it is refused before queuing.)
SAME_ANSWER = ("Thank you for your patience! Our team is looking into this now and will get "
               "back to you here today.")


def seed_failed_reply() -> None:
    hub = User.objects.filter(role=Role.HUB_ADMIN).order_by("pk").first()
    # Never the one the safety rota has: a stock answer is no answer to a cry for help.
    open_on_x = (Conversation.objects.filter(network="x", status=Status.OPEN, language="en")
                 .exclude(silo=None).exclude(account=None).exclude(decisions__source="safety")
                 .order_by("created_at", "id"))
    first = open_on_x.first()
    second = first and open_on_x.filter(account=first.account).exclude(pk=first.pk).first()
    if hub is None or second is None:
        return
    for conversation in (first, second):
        actions.reply(Actor.for_user(hub), conversation, SAME_ANSWER, force=True)


def inbox_is_seeded() -> bool:
    return ResolvedExample.objects.exists() or Conversation.objects.exists()


@transaction.atomic
def seed_inbox(actor: Actor | None = None, progress=lambda step: None) -> dict:
    """The inbox of a seeded company (also for demo data made before the inbox existed)."""
    return demo_inbox.seed_inbox(actor or Actor.system(via=Via.SYSTEM, label="demo seed"),
                                 progress=progress)
