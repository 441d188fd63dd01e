"""Write a realistic people CSV (an HR export) of N people to stdout, the same for the same seed.

    python bench/people_csv.py 100000 > /tmp/people.csv
    python bench/people_csv.py 5000 --seed 7 > /tmp/people.csv

About 40 silos, varied titles, skills, languages and time zones; a management tree where a
manager may come before or after their reports in the file; a seat column (the first person of
each silo in the file its captain, the next its delegate, everyone else empty). Other
benchmarks import `people_rows(n, seed)` to build their own company.
"""

import argparse
import csv
import random
import sys
import unicodedata

HEADER = ["email", "name", "title", "silo", "skills", "languages", "timezone", "manager_email",
          "seat"]

SILOS = [
    "Social COE Hub", "Brand Marketing", "Performance Marketing", "Product Marketing",
    "Public Relations", "Internal Communications", "Investor Relations", "Customer Care EMEA",
    "Customer Care Americas", "Customer Care APAC", "Technical Support", "Billing & Payments",
    "Sales EMEA", "Sales North America", "Sales LATAM", "Sales APAC", "Partner Channel",
    "Product Management", "Design & Research", "Engineering Platform", "Engineering Mobile",
    "Data & Analytics", "Security", "IT Operations", "Legal", "Compliance", "Privacy Office",
    "Human Resources", "Talent Acquisition", "Finance", "Procurement", "Supply Chain",
    "Logistics", "Retail Stores", "E-commerce", "Sustainability", "Corporate Affairs",
    "Region DACH", "Region Nordics", "Region Japan",
]
LEVELS = ["Associate", "Specialist", "Senior Specialist", "Lead", "Manager", "Director"]
ROLES = [
    "Community Manager", "Social Media Specialist", "Support Agent", "Account Executive",
    "Product Manager", "Software Engineer", "Data Analyst", "Counsel", "Recruiter",
    "Content Strategist", "Designer", "Buyer", "Store Manager", "Analyst", "Spokesperson",
]
SKILLS = [
    "crisis comms", "billing", "refunds", "returns", "shipping", "product recalls",
    "warranty", "API", "mobile app", "privacy", "GDPR", "accessibility", "pricing", "B2B sales",
    "influencers", "video", "copywriting", "analytics", "SEO", "paid social", "careers",
    "store events", "sustainability", "security incidents", "outages", "investor questions",
    "partnerships", "translation", "community events", "loyalty programme",
]
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt-BR", "ja", "zh", "ko", "sv", "pl", "ar"]
TIME_ZONES = [
    "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Stockholm",
    "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo",
    "Asia/Tokyo", "Asia/Singapore", "Asia/Kolkata", "Australia/Sydney", "UTC",
]
FIRST = ["Ann", "Bob", "Chloé", "Dmitri", "Eve", "Farah", "Goran", "Hana", "Ines", "Jonas",
         "Kenji", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
         "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoë"]
LAST = ["Lee", "Roe", "Martin", "Okafor", "Schmidt", "García", "Rossi", "Nakamura", "Kowalski",
        "Johansson", "Haddad", "Singh", "Silva", "Novak", "Dubois", "Ng", "Murphy", "Costa"]


def _ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def people_rows(n: int, seed: int = 1) -> list[list[str]]:
    """N rows under HEADER: one person each, about one in twelve managing others."""
    rng = random.Random(seed)
    # Managers in rank order, placed anywhere in the file: each reports to one ranked above.
    managers = rng.sample(range(n), max(1, n // 12))
    rank = {person: k for k, person in enumerate(managers)}
    rows = []
    seated: dict[str, int] = {}
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{_ascii(first)}.{_ascii(last)}.{i}@example.com"
        if i in rank:
            manager = managers[rng.randrange(rank[i])] if rank[i] else i
        else:
            manager = rng.choice(managers)
        title = f"{rng.choice(LEVELS)} {rng.choice(ROLES)}"
        silo = rng.choice(SILOS)
        seated[silo] = seated.get(silo, 0) + 1
        rows.append([
            email,
            f"{first} {last}",
            title,
            silo,
            ";".join(rng.sample(SKILLS, rng.randint(0, 4))),
            ";".join(rng.sample(LANGUAGES, rng.randint(1, 3))),
            rng.choice(TIME_ZONES),
            # A few people at the top have no manager; nobody manages themselves.
            "" if manager == i or rng.random() < 0.01 else str(manager),
            {1: "captain", 2: "delegate"}.get(seated[silo], ""),
        ])
    for row in rows:
        if row[7]:
            row[7] = rows[int(row[7])][0]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="how many people")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(people_rows(args.n, args.seed))


if __name__ == "__main__":
    main()
