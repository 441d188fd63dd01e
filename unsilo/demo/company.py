"""The demo company: Meridian Home, an appliance maker with a social COE that is half-built.

Seeded once into an empty database through the same actions and importer as real data, so
every row has its audit trail. Deterministic: the same company every time.
"""

import csv
import io
import random

from django.db import transaction

from unsilo.accounts.actions import register_account
from unsilo.accounts.models import Account, AccountStatus
from unsilo.core.actions import create_login
from unsilo.core.actor import Actor
from unsilo.core.models import Role, User, Via
from unsilo.org import actions as org_actions
from unsilo.org.importer import apply_people_import, parse_people_csv
from unsilo.org.models import Person, SeatRole, Silo, SiloKind

DOMAIN = "meridian.example"
PASSWORD = "meridian-demo-2026"
# The people CSV is drawn first from this seed; demo/corpus.py rebuilds it to name experts.
PEOPLE_SEED = 2026

# name, kind, parent, headcount, time zones, languages, titles, skills
SILOS = [
    ("Social COE Hub", SiloKind.HUB, None, 8, ["Europe/London"], ["en"],
     ["Head of Social COE", "Social Media Strategist", "Community Manager", "Social Data Analyst",
      "Governance Lead"],
     ["social strategy", "governance", "analytics", "crisis communication", "community"]),
    ("Marketing", SiloKind.DEPARTMENT, None, 34, ["America/New_York"], ["en", "es"],
     ["CMO", "Brand Manager", "Content Lead", "Campaign Manager", "Copywriter", "Designer",
      "Influencer Marketing Manager"],
     ["campaigns", "brand voice", "influencers", "promotions", "content", "giveaways"]),
    ("Corporate Communications", SiloKind.FUNCTION, None, 14, ["Europe/London"], ["en", "fr"],
     ["VP Communications", "Press Officer", "Spokesperson", "Internal Comms Manager"],
     ["press", "media relations", "statements", "executive communication", "crisis communication"]),
    ("Customer Care", SiloKind.DEPARTMENT, None, 60, ["America/Chicago", "America/Denver"],
     ["en", "es"],
     ["Director of Care", "Care Team Lead", "Care Agent", "Senior Care Agent", "Quality Analyst",
      "Escalations Specialist"],
     ["orders", "returns", "warranty", "repairs", "complaints", "account access", "installation"]),
    ("HR & Talent", SiloKind.FUNCTION, None, 18, ["America/New_York"], ["en"],
     ["CHRO", "Recruiter", "Employer Brand Manager", "HR Business Partner", "Talent Sourcer"],
     ["careers", "job applications", "internships", "employer brand", "benefits"]),
    ("Legal", SiloKind.FUNCTION, None, 10, ["America/New_York"], ["en"],
     ["General Counsel", "Product Counsel", "Privacy Counsel", "Paralegal", "Compliance Manager"],
     ["legal threats", "privacy", "gdpr", "disclosures", "contracts", "recalls"]),
    ("Product", SiloKind.DEPARTMENT, None, 36, ["America/Los_Angeles"], ["en"],
     ["VP Product", "Product Manager", "UX Researcher", "Firmware Engineer", "Data Scientist",
      "Technical Writer"],
     ["product ideas", "firmware", "smart home app", "bugs", "feature requests", "beta program"]),
    ("Sales", SiloKind.DEPARTMENT, None, 28, ["America/New_York"], ["en"],
     ["VP Sales", "Account Executive", "Sales Development Rep", "Partner Manager",
      "Sales Engineer"],
     ["leads", "bulk orders", "retail partners", "pricing", "demos"]),
    ("Finance & Billing", SiloKind.DEPARTMENT, None, 16, ["America/Chicago"], ["en"],
     ["CFO", "Billing Specialist", "Financial Analyst", "Accounts Receivable Clerk",
      "Payments Analyst"],
     ["billing", "refunds", "invoices", "payment plans", "chargebacks"]),
    ("Logistics", SiloKind.DEPARTMENT, None, 22, ["America/Chicago"], ["en", "es"],
     ["Head of Logistics", "Delivery Coordinator", "Warehouse Supervisor", "Carrier Manager",
      "Supply Planner"],
     ["delivery", "shipping delays", "tracking", "damaged parcels", "carriers"]),
    ("IT & Security", SiloKind.FUNCTION, None, 14, ["Europe/Dublin"], ["en"],
     ["CISO", "Security Analyst", "IT Administrator", "Identity Engineer"],
     ["phishing", "account security", "data breach", "sso", "impostor accounts"]),
    ("EMEA", SiloKind.REGION, None, 8, ["Europe/Berlin"], ["en", "de", "fr"],
     ["Regional Director EMEA", "Regional Marketing Lead"],
     ["regional strategy", "localisation"]),
    ("EMEA Customer Care", SiloKind.DEPARTMENT, "EMEA", 24, ["Europe/Berlin", "Europe/Paris"],
     ["de", "fr", "en"],
     ["Care Team Lead", "Care Agent", "Senior Care Agent", "Escalations Specialist"],
     ["orders", "returns", "warranty", "repairs", "german", "french"]),
    ("EMEA Marketing", SiloKind.DEPARTMENT, "EMEA", 12, ["Europe/Paris", "Europe/Madrid"],
     ["fr", "es", "en"],
     ["Marketing Manager", "Content Lead", "Social Media Executive"],
     ["campaigns", "localisation", "influencers", "events"]),
    ("APAC", SiloKind.REGION, None, 6, ["Asia/Singapore"], ["en", "ja"],
     ["Regional Director APAC", "Regional Operations Lead"],
     ["regional strategy", "partners"]),
    ("APAC Sales", SiloKind.DEPARTMENT, "APAC", 12, ["Asia/Tokyo", "Asia/Singapore"],
     ["ja", "en"],
     ["Account Executive", "Partner Manager", "Sales Development Rep"],
     ["leads", "retail partners", "japanese", "distributors"]),
]

# Silos whose seat stays empty: the clubhouse the inclusion view must reveal.
EMPTY_SEATS = {"Finance & Billing", "APAC Sales"}

FIRST = ["Dana", "Luis", "Priya", "Tom", "Aiko", "Marta", "Kwame", "Sofia", "Jonas", "Amara",
         "Chen", "Olga", "Rafael", "Nadia", "Ibrahim", "Grace", "Mateo", "Yuki", "Leila", "Omar",
         "Hannah", "Tariq", "Elena", "Kofi", "Ines", "Pavel", "Mei", "Diego", "Sara", "Noah",
         "Fatima", "Lukas", "Camille", "Arjun", "Zoe", "Emeka", "Ana", "Henrik", "Rosa", "Sam"]
LAST = ["Ruiz", "Okafor", "Raman", "Becker", "Tanaka", "Novak", "Mensah", "Rossi", "Lindqvist",
        "Haddad", "Wei", "Petrova", "Silva", "Karim", "Moreau", "Nguyen", "Garcia", "Sato",
        "Khan", "Fischer", "Dubois", "Costa", "Ahmed", "Kowalski", "Osei", "Larsen", "Ito",
        "Morales", "Cohen", "Park", "Schmidt", "Adeyemi", "Martin", "Reyes", "Das", "Wright"]

ACCOUNTS = [
    ("x", "MeridianHome", "Meridian Home", "Marketing", AccountStatus.ACTIVE),
    ("x", "MeridianCares", "Meridian Home Support", "Customer Care", AccountStatus.ACTIVE),
    ("instagram", "meridianhome", "Meridian Home", "Marketing", AccountStatus.ACTIVE),
    ("facebook", "MeridianHome", "Meridian Home", "Marketing", AccountStatus.ACTIVE),
    ("linkedin", "meridian-home", "Meridian Home", "HR & Talent", AccountStatus.ACTIVE),
    ("youtube", "MeridianHome", "Meridian Home", "Product", AccountStatus.ACTIVE),
    ("bluesky", "meridianhome.bsky.social", "Meridian Home", "Marketing", AccountStatus.ACTIVE),
    ("bluesky", "care.meridianhome.bsky.social", "Meridian Care", "Customer Care",
     AccountStatus.PENDING),
    ("mastodon", "meridian@mastodon.social", "Meridian Home", "Corporate Communications",
     AccountStatus.ACTIVE),
    ("reddit", "MeridianHomeOfficial", "Meridian Home", "Customer Care", AccountStatus.ACTIVE),
    ("tiktok", "meridianhome", "Meridian Home", "Marketing", AccountStatus.ACTIVE),
    ("x", "MeridianNews", "Meridian Newsroom", "Corporate Communications", AccountStatus.ACTIVE),
    ("x", "MeridianCareers", "Careers at Meridian", "HR & Talent", AccountStatus.ACTIVE),
    ("instagram", "meridian.de", "Meridian Deutschland", "EMEA Marketing", AccountStatus.ACTIVE),
    ("x", "MeridianHilfe", "Meridian Kundenservice", "EMEA Customer Care", AccountStatus.ACTIVE),
    ("facebook", "MeridianFrance", "Meridian France", "EMEA Marketing", AccountStatus.ACTIVE),
    ("x", "MeridianJapan", "メリディアン・ホーム", "APAC Sales", AccountStatus.PENDING),
    ("x", "MeridianDeals2019", "Meridian Deals", "Marketing", AccountStatus.RETIRED),
    ("x", "meridian_support_help", "Meridian Support Help", None, AccountStatus.UNREGISTERED),
    ("instagram", "meridianhome.giveaway", "Meridian Giveaway!!", None,
     AccountStatus.UNREGISTERED),
]

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

# Demo logins, one per role: (role, silo, title, seat role or None).
LOGINS = [
    (Role.HUB_ADMIN, "Social COE Hub", "Head of Social COE", SeatRole.CAPTAIN),
    (Role.CAPTAIN, "Customer Care", "Director of Care", SeatRole.CAPTAIN),
    (Role.RESPONDER, "Customer Care", "Senior Care Agent", None),
    (Role.REVIEWER, "Legal", "Product Counsel", SeatRole.DELEGATE),
    (Role.VIEWER, "Finance & Billing", "CFO", None),
]


def people_csv(rng: random.Random) -> tuple[bytes, dict[str, list[str]]]:
    """The people of every silo as a People CSV (the PRODUCT.md contract), and emails by silo."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "title", "silo", "skills", "languages", "timezone",
                     "manager_email"])
    used: set[str] = set()
    by_silo: dict[str, list[str]] = {}
    for name, _kind, _parent, headcount, zones, langs, titles, skills in SILOS:
        emails: list[str] = []
        for i in range(headcount):
            while True:
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first}.{last}@{DOMAIN}".lower()
                if email not in used:
                    used.add(email)
                    break
            # The first is the head; team leads every eighth; the rest report to a lead.
            title = titles[0] if i == 0 else rng.choice(titles[1:])
            manager = "" if i == 0 else emails[0] if i < 8 else emails[rng.randrange(1, 8)]
            person_skills = rng.sample(skills, k=min(len(skills), rng.randint(1, 3)))
            person_langs = [langs[0]] + [x for x in langs[1:] if rng.random() < 0.4]
            writer.writerow([email, f"{first} {last}", title, name, ";".join(person_skills),
                             ";".join(person_langs), rng.choice(zones), manager])
            emails.append(email)
        by_silo[name] = emails
    return out.getvalue().encode(), by_silo


def is_seeded() -> bool:
    return Silo.objects.exists()


@transaction.atomic
def seed(actor: Actor | None = None, inbox: bool = True, progress=lambda step: None) -> dict:
    """Create Meridian Home in an empty database; returns the demo logins. With `inbox`, also
    its inbox: history imported and learned, rules, saved replies, SLAs and live conversations.
    `progress(step)` hears each step as it starts."""
    actor = actor or Actor.system(via=Via.SYSTEM, label="demo seed")
    progress("The organisation: silos, people, seats and accounts")
    result = seed_company(actor)
    if inbox:
        result["inbox"] = seed_inbox(actor, progress)
        seed_sightings(actor)
        seed_failed_reply()
    return result


def seed_sightings(actor: Actor) -> int:
    """Brand terms, and messages from unregistered brand handles the scan then finds."""
    import datetime

    from django.utils import timezone

    from unsilo.connectors import actions as connector_actions
    from unsilo.connectors import discovery
    from unsilo.inbox import pipeline
    from unsilo.inbox.ingest import store
    from unsilo.learning.types import Incoming

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
    from unsilo.inbox import actions
    from unsilo.inbox.models import Conversation, Status

    hub = User.objects.filter(role=Role.HUB_ADMIN).order_by("pk").first()
    open_on_x = (Conversation.objects.filter(network="x", status=Status.OPEN, language="en")
                 .exclude(silo=None).exclude(account=None).order_by("created_at", "id"))
    first = open_on_x.first()
    second = first and open_on_x.filter(account=first.account).exclude(pk=first.pk).first()
    if hub is None or second is None:
        return
    for conversation in (first, second):
        actions.reply(Actor.for_user(hub), conversation, SAME_ANSWER, force=True)


def inbox_is_seeded() -> bool:
    from unsilo.inbox.models import Conversation, ResolvedExample

    return ResolvedExample.objects.exists() or Conversation.objects.exists()


@transaction.atomic
def seed_inbox(actor: Actor | None = None, progress=lambda step: None) -> dict:
    """The inbox of a seeded company (also for demo data made before the inbox existed)."""
    from unsilo.demo.inbox import seed_inbox as seed_the_inbox

    return seed_the_inbox(actor or Actor.system(via=Via.SYSTEM, label="demo seed"),
                          progress=progress)


@transaction.atomic
def seed_company(actor: Actor) -> dict:
    """The organisation, its logins and seats, and its social accounts."""
    rng = random.Random(PEOPLE_SEED)
    silos: dict[str, Silo] = {}
    for name, kind, parent, *_ in SILOS:
        silos[name] = org_actions.create_silo(
            actor, name=name, kind=kind, parent=silos.get(parent),
            description=f"{name} at Meridian Home.",
        )
    data, by_silo = people_csv(rng)
    plan = parse_people_csv(data)
    if plan.errors:
        raise RuntimeError(f"demo people CSV is invalid: {plan.errors[:3]}")
    apply_people_import(actor, plan)

    people = {p.email: p for p in Person.objects.select_related("silo")}
    logins = []
    taken: set[str] = set()
    for role, silo_name, title, seat_role in LOGINS:
        candidates = [people[e] for e in by_silo[silo_name] if e not in taken]
        person = next((p for p in candidates if p.title == title), candidates[-1])
        taken.add(person.email)
        if person.title != title:
            person = org_actions.update_person(actor, person, {"title": title})
        create_login(actor, email=person.email, password=PASSWORD, role=role, person=person)
        if seat_role:
            org_actions.seat_person(actor, silos[silo_name], person, seat_role)
        logins.append((role.label, person.email))

    # Every other silo gets its head as captain and, in larger silos, one delegate.
    for name, *_ in SILOS:
        silo = silos[name]
        if name in EMPTY_SEATS or silo.seat_members.filter(role=SeatRole.CAPTAIN).exists():
            continue
        members = by_silo[name]
        org_actions.seat_person(actor, silo, people[members[0]], SeatRole.CAPTAIN)
        if len(members) > 10:
            delegate = people[members[rng.randrange(1, len(members))]]
            org_actions.seat_person(actor, silo, delegate, SeatRole.DELEGATE)

    for network, handle, display, owner, status in ACCOUNTS:
        if Account.objects.filter(network=network, handle=handle).exists():
            continue
        stewards = []
        if owner:
            stewards = [people[e].pk for e in rng.sample(by_silo[owner], k=2)]
        register_account(
            actor,
            {"network": network, "handle": handle, "display_name": display,
             "owner_silo": silos.get(owner), "status": status},
            stewards,
        )
    return {"logins": logins, "password": PASSWORD}


def existing_logins() -> list[tuple[str, str]]:
    from unsilo.core.models import User

    by_role = {}
    for user in User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("created_at"):
        by_role.setdefault(user.role, user.email)
    return [(Role(role).label, by_role[role]) for role, *_ in LOGINS if role in by_role]
