"""Meridian Home's inbox for `unsilo demo`: learned history, hub rules, saved replies, SLAs,
business hours, an absence, and ~150 conversations already at work — all through the real
actions, history import and ingestion pipeline, so every row has its audit trail.

Deterministic in content (seeded corpus and choices); dates follow the clock, so the SLA
clocks and the absence are about "this week" whenever the demo starts.
"""

import datetime
import itertools
import json
import random
import time

from django.core.exceptions import ValidationError
from django.utils import timezone

from unsilo.core.actor import Actor
from unsilo.core.models import Role, User, Via
from unsilo.demo import company as demo
from unsilo.demo import corpus as demo_corpus
from unsilo.inbox import actions, history, ingest, pipeline
from unsilo.inbox.models import Conversation, Risk, RuleTarget, Status
from unsilo.org.models import Person, Silo, SiloKind

HISTORY = 3_000
# The hub people who read self-harm and safety first, in turn: the community managers, then
# the head of the COE.
SAFETY_TITLES = ("Community Manager", "Head of Social COE")
CONVERSATIONS = 170  # messages ingested; follow-ups thread, so ~150 conversations

# (name, conditions, target silo or None for the hub's review). Self-harm and safety need no
# rule: they go straight to the hub's safety rota (SAFETY_ROTA), never to triage.
RULES = [
    ("Legal threats go to Legal", {"risk": Risk.LEGAL}, "Legal"),
    ("Press goes to Corporate Communications", {"risk": Risk.PRESS},
     "Corporate Communications"),
    ("The careers account is HR's", {"network": "x", "account": "MeridianCareers"},
     "HR & Talent"),
]
SAVED_REPLIES = [
    (None, "Thanks for reaching out",
     "Hi {customer}, thanks for reaching out to {account}. I'm {agent_first} from {silo} and I'm "
     "looking into this now."),
    (None, "Move to DM",
     "Hi {customer}, could you send us a DM with your order number? That way we can check your "
     "account safely. – {agent_first}"),
    # In the other languages customers write in: the picker puts these first for them.
    (None, "Danke für Ihre Nachricht",
     "Hallo {customer}, danke für Ihre Nachricht an {account}. Ich bin {agent_first} vom Team "
     "{silo} und kümmere mich jetzt darum."),
    (None, "Merci pour votre message",
     "Bonjour {customer}, merci pour votre message. Je suis {agent_first} de l'équipe {silo} et "
     "je m'en occupe tout de suite."),
    (None, "Gracias por escribirnos",
     "Hola {customer}, gracias por escribirnos. Soy {agent_first} del equipo {silo} y ya estoy "
     "revisando tu caso."),
    (None, "Sorry for the wait",
     "Sorry for the wait, {customer}. {agent} from {silo} has picked this up and will update "
     "you today."),
    ("Customer Care", "Book a technician",
     "Hi {customer}, I've asked for a technician visit. You'll get an email to pick a slot. "
     "– {agent_first}, Meridian Care"),
    ("Customer Care", "Warranty check",
     "Hi {customer}, every Meridian appliance has a 2-year warranty. Send us the serial number "
     "by DM and I'll check yours. – {agent_first}"),
    ("Finance & Billing", "Refund timeline",
     "Hi {customer}, refunds reach your card 3–5 working days after we process them. I've "
     "checked yours and will confirm the date by DM. – {agent_first}"),
    ("Logistics", "Carrier investigation",
     "Sorry {customer}, I've opened an investigation with the carrier and will update you "
     "within 24 hours. – {agent_first}, Logistics"),
    ("HR & Talent", "Where to apply",
     "Hi {customer}, thanks for your interest! All open roles are at meridian.example/careers "
     "and our recruiters reply within a week."),
    ("Corporate Communications", "Press office",
     "Hi {customer}, please email press@meridian.example and our press office will answer "
     "today."),
    ("Legal", "Legal holding reply",
     "Hi {customer}, we're sorry to hear this. Please send the details to legal@meridian.example "
     "so our team can review them."),
    ("EMEA Customer Care", "Antwort per DM",
     "Hallo {customer}, danke für deine Nachricht! Wir melden uns per DM. – {agent_first}"),
]
# silo -> {urgency: (first response, resolution) in business minutes}
SLAS = {
    "Customer Care": {"urgent": (15, 240), "high": (30, 480), "normal": (60, 960),
                      "low": (240, 2880)},
    "Finance & Billing": {"high": (120, 960), "normal": (240, 2400)},
    "Logistics": {"high": (60, 720), "normal": (120, 1440)},
    "Corporate Communications": {"urgent": (30, 120), "high": (60, 240)},
    "Legal": {"urgent": (60, 480), "high": (240, 2400)},
}
HOURS = {
    "Social COE Hub": {"always_open": True, "weekdays": list(range(7))},
    "Customer Care": {"timezone": "America/Chicago", "start": "07:00", "end": "21:00",
                      "weekdays": [0, 1, 2, 3, 4, 5]},
    "Finance & Billing": {"timezone": "America/Chicago", "start": "09:00", "end": "17:00",
                          "weekdays": [0, 1, 2, 3, 4]},
    "Logistics": {"timezone": "America/Chicago", "start": "07:00", "end": "19:00",
                  "weekdays": [0, 1, 2, 3, 4, 5]},
    "EMEA Customer Care": {"timezone": "Europe/Berlin", "start": "08:00", "end": "18:00",
                           "weekdays": [0, 1, 2, 3, 4]},
    "Corporate Communications": {"timezone": "Europe/London", "start": "08:00",
                                 "end": "20:00", "weekdays": list(range(7))},
}
# Where a conversation of one silo is plausibly handed off to, and why.
HANDOFFS = {
    "Customer Care": ("Finance & Billing", "The customer is really asking about a refund."),
    "Logistics": ("Customer Care", "The parcel arrived; this is now a repair question."),
    "Marketing": ("Customer Care", "Behind the praise is a warranty question."),
    "Finance & Billing": ("Customer Care", "Not a billing issue: the order itself is wrong."),
    "Product": ("Customer Care", "A faulty unit, not a feature request."),
    "Sales": ("APAC Sales", "The buyer is in Japan."),
    "EMEA Customer Care": ("Logistics", "Stuck with the carrier, Logistics can chase it."),
}
NOTES = [
    "@{mention} could you check the order history for this one?",
    "Looks like the same issue as last week. @{mention} any idea?",
    "@{mention} FYI, the customer has posted about this twice.",
    "Checked the account: no open tickets. @{mention} over to you.",
]


def seed_inbox(system: Actor | None = None, history_lines: int = HISTORY,
               conversations: int = CONVERSATIONS, progress=lambda step: None) -> dict:
    """Seed the inbox of the demo company (after `company.seed_company`); returns counts.
    `progress(step)` hears each step as it starts."""
    started = time.perf_counter()
    now = timezone.now()
    system = system or Actor.system(via=Via.SYSTEM, label="demo seed")
    silos = {s.name: s for s in Silo.objects.all()}
    hub = _login(Role.HUB_ADMIN)
    captain, responder = _login(Role.CAPTAIN), _login(Role.RESPONDER)

    actions.update_inbox_settings(hub, triage_threshold=0.35, retrain_after=20,
                                  retrain_minutes=10, safety_people=_safety_rota())
    _rules(hub, silos)
    for name, fields in HOURS.items():
        actions.save_business_hours(hub, silos[name], **fields)
    for name, targets in SLAS.items():
        for urgency, (first, resolution) in targets.items():
            actions.save_sla_policy(hub, silos[name], urgency, first_response_minutes=first,
                                    resolution_minutes=resolution)
    for silo, title, text in SAVED_REPLIES:
        who = captain if silo == "Customer Care" else hub
        actions.save_saved_reply(who, title=title, text=text,
                                 silo=silos[silo] if silo else None)
    away = _away(hub, now)

    progress(f"{history_lines:,} resolved conversations for routing to learn from")
    lines = demo_corpus.history(history_lines, seed=1, end=now - datetime.timedelta(days=2))
    report = history.import_history((json.dumps(line, ensure_ascii=False) for line in lines),
                                    hub)
    if report.errors:
        raise RuntimeError(f"demo history is invalid: {report.errors[:3]}")

    progress(f"{conversations} conversations in the inbox, routed and worked on")
    items = _live_messages(conversations, now)
    ingested = ingest.ingest(items, system, "demo")
    if ingested.errors:
        raise RuntimeError(f"demo messages are invalid: {ingested.errors[:3]}")
    done = pipeline.process_pending(ingested.new_ids)
    work = _work(hub, captain, responder, silos)
    return {"history": len(lines), "model": report.model.version if report.model else None,
            "messages": ingested.new, "conversations": done.conversations, "away": away,
            **work, "seconds": round(time.perf_counter() - started, 1)}


def _safety_rota() -> list[Person]:
    """A safety rota of hub people (at least two, so the turn passes)."""
    hub = Person.objects.filter(silo__kind=SiloKind.HUB, is_active=True).order_by("name", "id")
    rota = [p for p in hub if p.title in SAFETY_TITLES]
    return rota if len(rota) >= 2 else list(hub[:3])


def _login(role: str) -> Actor:
    user = (User.objects.filter(role=role, email__endswith=f"@{demo.DOMAIN}")
            .select_related("person").order_by("created_at").first())
    return Actor.for_user(user, via=Via.SYSTEM)


def _rules(hub: Actor, silos: dict[str, Silo]) -> None:
    from unsilo.accounts.models import Account

    for position, (name, conditions, target) in enumerate(RULES, start=1):
        fields = dict(conditions)
        if "account" in fields:
            fields["account"] = Account.objects.get(network=fields["network"],
                                                    handle=fields["account"])
        if target:
            fields.update(target=RuleTarget.SILO, silo=silos[target])
        else:
            fields.update(target=RuleTarget.REVIEW)
        actions.save_rule(hub, name=name, position=position * 10, **fields)


def _away(hub: Actor, now: datetime.datetime) -> str:
    """The refunds expert is on leave this week, so "next best expert" shows in the reasons."""
    email = demo_corpus.experts()[("Finance & Billing", "refunds")]
    person = Person.objects.get(email=email)
    actions.add_absence(hub, person, starts=now - datetime.timedelta(days=1),
                        ends=now + datetime.timedelta(days=5), reason="Annual leave")
    return email


# Messages nobody could route with confidence — the hub's triage queue is never empty in the
# demo — and one the safety rota reads at once.
UNCLEAR = [
    ("x", "hello?? is anyone there"),
    ("instagram", "👀👀👀"),
    ("facebook", "Can I talk to a real person please"),
    ("threads", "meridian again... every single time"),
    ("x", "honestly I can't take this anymore. I just want to end it all"),
]


def _live_messages(n: int, now: datetime.datetime) -> list[dict]:
    """The customer messages of the last day or so, replies in threads included."""
    rng = random.Random(36)
    lines = list(itertools.islice(demo_corpus.stream(seed=36, prefix="demo-"), n))
    for i, (network, text) in enumerate(UNCLEAR):
        lines.insert(rng.randrange(len(lines)), {
            "id": f"demo-unclear-{i}", "network": network, "text": text, "lang": "en",
            "author": f"{demo_corpus.NAMES[i * 7]}_{i + 1}{i * 13}", "_truth": {}})
    # Most arrived in the last hour and a half; a few have waited since yesterday (overdue).
    ages = sorted((rng.uniform(60, 100 * 60) if rng.random() < 0.8
                   else rng.uniform(2 * 3600, 30 * 3600) for _ in lines), reverse=True)
    for line, age in zip(lines, ages, strict=True):
        line.pop("_truth")
        line["created_at"] = (now - datetime.timedelta(seconds=age)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
    return lines


def _work(hub: Actor, captain: Actor, responder: Actor, silos: dict[str, Silo]) -> dict:
    """People at work on the new conversations: replies, resolutions, consults, handoffs,
    notes and triage, each through its action."""
    rng = random.Random(150)
    counts = dict.fromkeys(("replied", "resolved", "consulted", "handed_off", "noted",
                            "assigned"), 0)
    reviewer = _login(Role.REVIEWER)
    conversations = list(Conversation.objects.select_related("silo", "assignee", "account")
                         .order_by("created_at", "id"))
    seen_triage = 0
    for c in conversations:
        who = (rng.choice([captain, responder]) if c.silo and c.silo.name == "Customer Care"
               else hub)
        roll = rng.random()
        if {"self_harm", "safety"} & set(c.risk or []):
            continue  # with the safety rota's reader, waiting for them to answer
        try:
            if c.triage:
                seen_triage += 1
                # The first few stay for the hub to pick up.
                if seen_triage > 3 and roll < 0.5:
                    _assign_from_triage(hub, c, rng)
                    counts["assigned"] += 1
            elif roll < 0.18:
                actions.reply(who, c, _answer(c, who), force=True)
                actions.resolve(who, c)
                counts["resolved"] += 1
            elif roll < 0.32:
                actions.reply(who, c, _answer(c, who), force=True)
                counts["replied"] += 1
            elif roll < 0.42:
                _consult(who, c, responder, reviewer, rng)
                counts["consulted"] += 1
            elif roll < 0.48 and c.silo and c.silo.name in HANDOFFS:
                target, reason = HANDOFFS[c.silo.name]
                actions.handoff(who, c, silos[target], reason)
                counts["handed_off"] += 1
            elif roll < 0.62 and c.silo and c.silo.name == "Customer Care":
                actions.take(responder, c)
                counts["assigned"] += 1
            elif roll < 0.70 and c.silo:
                mention = _mention(c, rng)
                actions.add_note(who, c, rng.choice(NOTES).format(mention=mention))
                counts["noted"] += 1
        except ValidationError:
            continue  # e.g. nobody to consult in a one-person silo: leave it as routed
    counts["open"] = sum(1 for c in conversations if c.status != Status.RESOLVED)
    return counts


def _answer(c: Conversation, who: Actor) -> str:
    first = who.user.person.name.split()[0] if who.user and who.user.person_id else "Meridian"
    return (f"Hi {c.author}, thanks for getting in touch. I've looked into this and sent you a "
            f"DM with the details. – {first}")


def _assign_from_triage(hub: Actor, c: Conversation, rng: random.Random) -> None:
    suggested = actions.suggest_experts(c, limit=3)
    if suggested:
        person = rng.choice(suggested)[0]
    else:
        person = Person.objects.get(email=rng.choice(sorted(set(demo_corpus.experts().values()))))
    actions.assign(hub, c, person)


def _consult(who: Actor, c: Conversation, responder: Actor, reviewer: Actor,
             rng: random.Random) -> None:
    """Ask the demo's own responder or reviewer, so those logins find consults waiting."""
    legal = "legal" in (c.risk or []) or (c.silo and c.silo.name == "Legal")
    expert_actor = reviewer if legal or rng.random() < 0.3 else responder
    expert = expert_actor.user.person
    if expert.silo_id == c.silo_id or expert.pk == c.assignee_id:
        expert_actor = reviewer if expert_actor is responder else responder
        expert = expert_actor.user.person
    consult = actions.consult(who, c, expert, "Have you seen this before? What should we say?")
    if rng.random() < 0.4:
        actions.answer_consult(expert_actor, consult,
                               "Seen it twice this month: offer a replacement part first.")


def _mention(c: Conversation, rng: random.Random) -> str:
    people = list(Person.objects.filter(silo_id=c.silo_id, is_active=True)
                  .exclude(pk=c.assignee_id).order_by("id").values_list("email", flat=True)[:8])
    return rng.choice(people) if people else "unknown"
