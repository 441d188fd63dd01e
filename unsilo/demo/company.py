"""The demo company's organisation: Meridian Home, an appliance maker with a social COE that is
half-built — its silos, people, logins, seats and social accounts (demo/seed.py seeds it all).

Seeded through the same actions and importer as real data, so every row has its audit trail.
Deterministic: the same company every time.
"""

import csv
import datetime
import io
import random

from django.db import transaction
from django.utils import timezone

from unsilo.accounts.actions import register_account
from unsilo.accounts.models import Account, AccountRequest, AccountStatus
from unsilo.accounts.requests import request_account
from unsilo.connectors import registry
from unsilo.core.actions import create_login
from unsilo.core.actor import Actor
from unsilo.core.models import Role, User
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

# Demo logins, one per role: (role, silo, title, seat role or None).
LOGINS = [
    (Role.HUB_ADMIN, "Social COE Hub", "Head of Social COE", SeatRole.CAPTAIN),
    (Role.CAPTAIN, "Customer Care", "Director of Care", SeatRole.CAPTAIN),
    (Role.RESPONDER, "Customer Care", "Senior Care Agent", None),
    (Role.REVIEWER, "Legal", "Product Counsel", SeatRole.DELEGATE),
    (Role.VIEWER, "Finance & Billing", "CFO", None),
]


def people_csv(rng: random.Random) -> tuple[bytes, dict[str, list[str]]]:
    """The people of every silo as a People CSV (docs/product.md), and emails by silo."""
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
        data = {"network": network, "handle": handle, "display_name": display,
                "owner_silo": silos.get(owner), "status": status}
        if handle == OVERDUE_HANDLE:  # its stewards last confirmed four months ago
            data["stewards_confirmed_at"] = timezone.now() - datetime.timedelta(days=120)
        register_account(actor, data, stewards)
    _request_one(actor, silos, by_silo, people, rng)
    return {"logins": logins, "password": PASSWORD}


# One account whose confirmation is overdue, and one request waiting for the hub.
OVERDUE_HANDLE = "MeridianHomeOfficial"
REQUESTED = ("tiktok", "meridianhome.care", "Marketing",
             "Short videos for the spring range, answered by Customer Care.")


def _request_one(actor: Actor, silos, by_silo, people, rng) -> None:
    network, handle, silo, purpose = REQUESTED
    if network not in registry.NETWORKS:
        network = "bluesky"
    if AccountRequest.objects.filter(network=network, handle=handle).exists():
        return
    stewards = [people[e].pk for e in rng.sample(by_silo[silo], k=2)]
    request_account(actor, {"network": network, "handle": handle, "owner_silo": silos[silo],
                            "purpose": purpose}, stewards)


def existing_logins() -> list[tuple[str, str]]:
    by_role = {}
    for user in User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("created_at"):
        by_role.setdefault(user.role, user.email)
    return [(Role(role).label, by_role[role]) for role, *_ in LOGINS if role in by_role]
