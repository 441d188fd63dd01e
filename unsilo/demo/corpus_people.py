"""Who resolves what at Meridian Home: the demo's people as unsilo/demo/company.py seeds them, and
the one expert of each sub-topic of the demo corpus (best title fit, speaks the language, never
the head of the silo), so expertise is learnable and is not the title."""

import csv
import functools
import io
import random

from unsilo.demo import corpus_en as en
from unsilo.demo import corpus_intl as intl
from unsilo.demo.corpus_words import FAMILIES


@functools.cache
def organisation() -> dict[str, list[dict]]:
    """The demo's people by silo, as demo/company.py seeds them (head first, titles as seeded)."""
    from django.apps import apps

    if not apps.ready:
        from unsilo import config

        config.setup_django()
    from unsilo.demo import company as demo

    data, _by_silo = demo.people_csv(random.Random(demo.PEOPLE_SEED))
    silos: dict[str, list[dict]] = {}
    for row in csv.DictReader(io.StringIO(data.decode())):
        row["languages"] = row["languages"].split(";")
        silos.setdefault(row["silo"], []).append(row)
    taken: set[str] = set()
    for _role, silo, title, _seat in demo.LOGINS:  # the seed retitles a login when it must
        candidates = [p for p in silos[silo] if p["email"] not in taken]
        person = next((p for p in candidates if p["title"] == title), candidates[-1])
        taken.add(person["email"])
        person["title"] = title
    return silos


def _topic_keys() -> list[tuple[str, str, str, list[str], str]]:
    """Every (silo, kind, topic key, preferred titles, language) that has one expert."""
    keys = []
    for kind, topic, titles, by_family, _phrases in en.TOPICS:
        for family in (FAMILIES if by_family else [""]):
            keys.append((en.KIND_SILO[kind], kind, f"{topic}/{family}" if family else topic,
                         titles, "en"))
    for lang, kind, topic, silo, titles, _phrases in intl.TOPICS:
        keys.append((silo, kind, topic, titles, lang))
    return keys


@functools.cache
def experts() -> dict[tuple[str, str], str]:
    """(silo, topic key) -> the email of the person who resolves it: best title fit, speaks
    the language, not the head of the silo, one topic per person while people last."""
    org = organisation()
    used: set[str] = set()
    chosen = {}
    for silo, _kind, key, titles, lang in _topic_keys():
        members = org[silo][1:] or org[silo]
        fresh = [p for p in members if p["email"] not in used] or members

        def fit(p, titles=titles, lang=lang):
            rank = titles.index(p["title"]) if p["title"] in titles else len(titles)
            return (rank, lang not in p["languages"] and lang != "en")

        person = min(fresh, key=fit)
        used.add(person["email"])
        chosen[(silo, key)] = person["email"]
    return chosen
