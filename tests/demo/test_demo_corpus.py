"""The demo corpus: deterministic, varied, believable, and naming only the demo's own people."""

import collections
import itertools

import pytest

from unsilo.connectors.registry import NETWORKS
from unsilo.demo import company as demo
from unsilo.demo import corpus as demo_corpus
from unsilo.demo import seed
from unsilo.org.models import Person, Silo

REQUIRED = {"id", "network", "text", "author", "created_at"}


def test_the_same_seed_gives_the_same_lines_and_another_seed_others():
    assert demo_corpus.history(300, seed=1) == demo_corpus.history(300, seed=1)
    assert demo_corpus.messages(300, seed=2) == demo_corpus.messages(300, seed=2)
    first = list(itertools.islice(demo_corpus.stream(seed=3), 300))
    assert first == list(itertools.islice(demo_corpus.stream(seed=3), 300))
    other = [m["text"] for m in demo_corpus.messages(300, seed=5)]
    assert len(set(other) & {m["text"] for m in demo_corpus.messages(300, seed=2)}) < 30


def test_messages_are_varied_within_every_kind():
    lines = demo_corpus.messages(20_000)
    texts = [m["text"] for m in lines]
    assert len(set(texts)) / len(texts) > 0.95
    by_kind = collections.defaultdict(list)
    for m in lines:
        by_kind[m["_truth"]["kind"]].append(m["text"])
    for kind in ("support", "billing", "delivery", "returns", "complaint", "praise", "job",
                 "press", "legal", "idea", "sales", "privacy", "safety", "security"):
        texts = by_kind[kind]
        assert len(set(texts)) / len(texts) > 0.95, kind
    for kind in ("support", "billing", "delivery", "returns", "complaint", "praise", "job",
                 "idea", "sales"):
        assert len(set(by_kind[kind])) >= 500, kind


def test_messages_follow_the_contract_in_many_languages_and_networks():
    lines = demo_corpus.messages(5_000)
    handles = {(network, handle) for network, handle, *_ in demo.ACCOUNTS}
    for m in lines:
        assert m.keys() >= REQUIRED
        assert m["network"] in NETWORKS
        assert "account" not in m or (m["network"], m["account"]) in handles
        assert m["created_at"].endswith("Z")
    assert len({m["id"] for m in lines}) == len(lines)
    langs = collections.Counter(m["lang"] for m in lines)
    assert {"en", "de", "fr", "es", "pt", "it", "nl", "ja"} <= langs.keys()
    assert langs["en"] / len(lines) > 0.6
    assert len({m["network"] for m in lines}) >= 8
    assert any("😡" in m["text"] or "😍" in m["text"] for m in lines)
    assert any("@MeridianCares" in m["text"] for m in lines)
    assert any("https://" in m["text"] for m in lines)


def test_sentiment_fits_the_kind_of_message():
    moods = collections.defaultdict(collections.Counter)
    for m in demo_corpus.messages(5_000):
        moods[m["_truth"]["kind"]][m["_truth"]["sentiment"]] += 1
    assert set(moods["complaint"]) == {"negative"}
    assert set(moods["praise"]) == {"positive"}
    assert moods["support"]["neutral"] > 0 and "positive" not in moods["support"]
    assert set(moods["legal"]) == {"negative"}


def test_risky_kinds_carry_their_risk_flag():
    risks = {m["_truth"]["kind"]: m["_truth"]["risk"] for m in demo_corpus.messages(5_000)}
    assert risks["legal"] == ["legal"]
    assert risks["safety"] == ["safety"]
    assert risks["press"] == ["press"]
    assert risks["billing"] == []


def test_expertise_belongs_to_people_not_to_titles():
    org = demo_corpus.organisation()
    experts = demo_corpus.experts()
    heads = {people[0]["email"] for people in org.values()}
    assert not heads & set(experts.values())
    refunds = experts[("Finance & Billing", "refunds")]
    invoices = experts[("Finance & Billing", "invoices")]
    assert refunds != invoices
    titles = {p["email"]: p["title"] for p in org["Finance & Billing"]}
    assert titles[refunds] in ("Payments Analyst", "Billing Specialist")
    # Each sub-topic has one expert: the truth of every message of a topic names the same one.
    people = collections.defaultdict(set)
    for m in demo_corpus.messages(3_000):
        people[(m["_truth"]["silo"], m["_truth"]["topic"])].add(m["_truth"]["person"])
    assert all(len(p) == 1 for p in people.values())


def test_history_is_resolved_mostly_by_the_expert_with_a_little_noise():
    lines = demo_corpus.history(4_000)
    experts = demo_corpus.experts()
    assert all(REQUIRED | {"resolved_by_silo", "answer"} <= line.keys() for line in lines)
    assert [line["created_at"] for line in lines] == sorted(line["created_at"] for line in lines)
    with_person = [line for line in lines if "resolved_by" in line]
    assert 0.95 < len(with_person) / len(lines) < 1
    by_expert = collections.Counter()
    for line in with_person:
        silo = line["resolved_by_silo"]
        members = {p["email"] for p in demo_corpus.organisation()[silo]}
        assert line["resolved_by"] in members
        by_expert[line["resolved_by"] in experts.values()] += 1
    assert 0.9 < by_expert[True] / len(with_person) < 0.99


def test_answers_apologise_for_complaints_and_thank_for_praise():
    answers = [line["answer"] for line in demo_corpus.history(2_000) if line["lang"] == "en"]
    assert any(a.startswith(("We're really sorry", "Sorry", "We apologise", "So sorry"))
               for a in answers)
    assert any(a.startswith(("Thank you so much", "This made our day", "Thanks for the kind"))
               for a in answers)


def test_the_stream_follows_up_in_earlier_threads_of_the_same_customer():
    lines = list(itertools.islice(demo_corpus.stream(seed=3), 2_000))
    by_id = {m["id"]: m for m in lines}
    replies = [m for m in lines if "in_reply_to" in m]
    assert 0.08 < len(replies) / len(lines) < 0.25
    for reply in replies:
        parent = by_id[reply["in_reply_to"]]
        assert (parent["network"], parent["author"]) == (reply["network"], reply["author"])
        assert reply["_truth"]["silo"] == parent["_truth"]["silo"]
    assert list(itertools.islice(demo_corpus.stream(seed=3, prefix="live-"), 1))[0]["id"] \
        .startswith("live-3-")


@pytest.mark.django_db
def test_every_silo_and_person_named_exists_in_the_demo_seed():
    seed.seed(inbox=False)
    assert not seed.inbox_is_seeded()  # `unsilo demo` would seed the inbox on its next start
    silos = set(Silo.objects.values_list("name", flat=True))
    people = dict(Person.objects.values_list("email", "silo__name"))
    titles = dict(Person.objects.values_list("email", "title"))
    lines = demo_corpus.history(2_000) + demo_corpus.messages(2_000)
    for line in lines:
        silo = line.get("resolved_by_silo") or line["_truth"]["silo"]
        person = line.get("resolved_by") or line.get("_truth", {}).get("person")
        assert silo in silos
        if person:
            assert people[person] == silo
    # The corpus rebuilt the seeded titles too (the logins' retitling included).
    for silo_people in demo_corpus.organisation().values():
        for p in silo_people:
            assert titles[p["email"]] == p["title"]
