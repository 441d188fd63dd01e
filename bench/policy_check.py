"""Publishing policy checks: the time of one post's checks at 200 rules (p50, p95, max), and
`unsilo publish check` in drafts per second on one core (start-up included).

    .venv/bin/python bench/policy_check.py [--drafts 20000]

A fresh SQLite database gets the demo company without its inbox (silos, people, accounts, its
policy and certifications), then made-up rules up to 200 in all (terms of one to three words in
the demo's languages, a quarter scoped to a silo). Drafts are 60 to 280 characters of words
from the rules' vocabulary and common words, on one to three accounts, some with links, media
and the sponsored flag; one in five carries a regulated claim. The command runs pinned to one
core (taskset) on a file of them, its output read and counted.
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _setup import fresh_database, machine, migrate, setup_django

COMMON = ("the", "our", "new", "oven", "is", "here", "with", "a", "and", "for", "you",
          "today", "see", "more", "at", "clean", "fast", "der", "die", "das", "und", "neu",
          "mit", "le", "la", "et", "pour", "nouveau", "el", "los", "y", "para", "nuevo")


def build(rules: int, rng: random.Random) -> list[str]:
    from unsilo.core.actor import Actor
    from unsilo.demo.seed import seed
    from unsilo.org.models import Silo
    from unsilo.publishing import actions
    from unsilo.publishing.models import PolicyRule, RuleKind

    actor = Actor.system()
    seed(actor, inbox=False)
    silos = list(Silo.objects.all())
    vocabulary = [f"{rng.choice('bcdfgklmnprst')}{rng.choice('aeiouäéí')}"
                  f"{rng.choice('bcdfgklmnprst')}{rng.choice('aeiou')}{n}" for n in range(3000)]
    kinds = [RuleKind.RISKY, RuleKind.REGULATED, RuleKind.BANNED]
    for n in range(rules - PolicyRule.objects.count()):
        kind = kinds[n % 3]
        terms = [" ".join(rng.sample(vocabulary, rng.randint(1, 3))) for _ in range(5)]
        actions.add_rule(actor, {"kind": kind, "name": f"bench {n}", "terms": terms,
                                 "silo": rng.choice(silos) if n % 4 == 0 else None,
                                 "reviewer_silo": rng.choice(silos)})
    return vocabulary


def drafts(n: int, vocabulary: list[str], rng: random.Random) -> list[dict]:
    from unsilo.accounts.models import Account

    accounts = [f"{a.network}:{a.handle}" for a in Account.objects.all()]
    from unsilo.core.models import Role, User

    lead = User.objects.filter(role=Role.HUB_ADMIN).select_related("person").first()
    authors = [lead.person.email, lead.person.email, "nobody@else.example"]
    out = []
    for i in range(n):
        text = []
        while len(" ".join(text)) < rng.randint(60, 280):
            text.append(rng.choice(vocabulary) if rng.random() < 0.1 else rng.choice(COMMON))
        if i % 5 == 0:
            text.append(rng.choice(["garantiert", "guaranteed", "sans risque", "cura"]))
        draft = {"id": str(i), "accounts": rng.sample(accounts, rng.randint(1, 3)),
                 "text": " ".join(text), "author": rng.choice(authors)}
        if i % 3 == 1:
            draft["links"] = ["https://meridian.example/oven", "https://shop.other.example/x"]
        if i % 4 == 0:
            draft["media"] = [{"alt": "An oven"}, {"alt": ""}]
        if i % 6 == 0:
            draft["sponsored"] = True
        out.append(draft)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=20000)
    parser.add_argument("--rules", type=int, default=200)
    args = parser.parse_args()
    env = fresh_database(False, "unsilo_bench_policy")
    migrate()
    setup_django()
    rng = random.Random(10)
    vocabulary = build(args.rules, rng)
    from unsilo.core.actor import Actor
    from unsilo.publishing.cli import parse_draft
    from unsilo.publishing.models import PolicyRule
    from unsilo.publishing.queries import load_policy

    lines = drafts(args.drafts, vocabulary, rng)
    started = time.perf_counter()
    policy = load_policy(Actor.system())
    loaded = time.perf_counter() - started
    times = []
    for line in lines[:5000]:
        draft, _ = parse_draft(json.dumps(line).encode())
        t = time.perf_counter()
        policy.check(draft)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(machine())
    print(f"rules: {PolicyRule.objects.filter(enabled=True).count()}, policy loaded in "
          f"{loaded * 1000:.1f} ms")
    print(f"checks of one post: p50 {statistics.median(times):.3f} ms, "
          f"p95 {times[int(len(times) * 0.95)]:.3f} ms, max {times[-1]:.3f} ms")
    path = Path(env["UNSILO_DATA_DIR"]) / "drafts.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in lines) + "\n", encoding="utf-8")
    unsilo = str(Path(sys.executable).with_name("unsilo"))
    t = time.perf_counter()
    run = subprocess.run(["taskset", "-c", "0", unsilo, "publish", "check", str(path)],
                         env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t
    answered = len(run.stdout.splitlines())
    assert answered == len(lines), (answered, run.stderr[-500:])
    auto = sum(json.loads(x)["auto_publish"] for x in run.stdout.splitlines())
    print(f"unsilo publish check: {answered:,} drafts in {seconds:.2f} s (start-up included) = "
          f"{answered / seconds:,.0f} drafts/s on one core; {auto:,} would auto-publish")


if __name__ == "__main__":
    main()
