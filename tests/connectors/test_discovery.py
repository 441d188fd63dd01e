"""The scan for unregistered handles: brand terms and their look-alikes in author handles, the
registry left out, each message counted once however often the scan runs."""

import datetime
import itertools

import pytest
from django.utils import timezone

from tests import factories as f
from unsilo.connectors import discovery
from unsilo.connectors.models import Discovery, Sighting
from unsilo.inbox.models import Direction, Message

pytestmark = pytest.mark.django_db

_n = itertools.count(1)
T0 = timezone.now() - datetime.timedelta(days=2)


def msg(author, network="x", minutes=0, **fields):
    n = next(_n)
    return Message.objects.create(network=network, external_id=f"d{n}", author=author,
                                  text=fields.pop("text", f"message {n}"),
                                  created_at=T0 + datetime.timedelta(minutes=minutes), **fields)


@pytest.fixture
def terms():
    Discovery.objects.create(pk=1, terms=["meridian"])


def sightings():
    return {(s.network, s.handle): s for s in Sighting.objects.all()}


@pytest.mark.parametrize(("handle", "flagged"), [
    ("MeridianHomeHelp", True),
    ("meridlan_support", True),  # l for i
    ("@M3R1D1AN_care", True),  # digits for letters
    ("rneridian.deals", True),  # rn for m
    ("Mérìdian", True),  # accents
    ("mеridian", True),  # Cyrillic е
    ("meridia", False),
    ("median_fan", False),
    ("bob", False),
])
def test_fold_catches_brand_look_alikes(handle, flagged):
    terms = [("meridian", discovery.fold("meridian"))]
    assert (discovery.matched_term(handle, terms) == "meridian") is flagged


def test_scan_finds_brand_handles_not_in_the_registry_and_ignores_the_rest(terms):
    f.account(network="x", handle="MeridianHome")
    f.account(network="mastodon", handle="meridian@mastodon.social")
    first = msg("MeridianHomeHelp", minutes=1, text="DM us your card number for a refund")
    msg("MeridianHomeHelp", minutes=5)
    msg("meridlan_support", network="bluesky", minutes=2)
    msg("@MeridianHome", minutes=3)  # ours, as the network writes it
    msg("meridianhome", minutes=3)  # ours, in another case
    msg("@meridian@mastodon.social", network="mastodon")  # ours too
    msg("MeridianHome", network="instagram", minutes=4)  # same name, another network: not ours
    msg("happy_customer", account_handle="Meridian_Giveaway")  # addressed to an impostor
    msg("MeridianFan99", direction=Direction.OUTBOUND)  # our own reply: nobody's sighting
    assert discovery.scan() == 9
    found = sightings()
    assert set(found) == {("x", "MeridianHomeHelp"), ("bluesky", "meridlan_support"),
                          ("instagram", "MeridianHome"), ("x", "Meridian_Giveaway")}
    helper = found[("x", "MeridianHomeHelp")]
    assert (helper.seen, helper.matched, helper.example_id) == (2, "meridian", first.pk)
    assert helper.first_seen_at == T0 + datetime.timedelta(minutes=1)
    assert helper.last_seen_at == T0 + datetime.timedelta(minutes=5)
    assert Discovery.current().scanned_message_id == Message.objects.latest("pk").pk


def test_scanning_again_counts_only_new_messages(terms):
    msg("MeridianHomeHelp", minutes=1)
    assert discovery.scan() == 1
    assert discovery.scan() == 0
    msg("meridianhomehelp", minutes=9)  # the same handle in another case: the same sighting
    msg("MeridianHomeHelp", minutes=0)  # posted earlier, arrived later
    assert discovery.scan() == 2
    [sighting] = Sighting.objects.all()
    assert sighting.seen == 3 and sighting.handle == "MeridianHomeHelp"
    assert sighting.first_seen_at == T0 and sighting.last_seen_at == T0 + datetime.timedelta(
        minutes=9)


def test_batches_move_the_watermark_and_count_each_message_once(terms):
    for i in range(7):
        msg("MeridianHomeHelp", minutes=i)
    assert discovery.scan(batch=3) == 7
    assert Sighting.objects.get().seen == 7


def test_without_terms_nothing_is_read_so_adding_terms_checks_the_history():
    msg("MeridianHomeHelp")
    assert discovery.scan() == 0 and not Sighting.objects.exists()
    Discovery.objects.update_or_create(pk=1, defaults={"terms": ["meridian"]})
    assert discovery.scan() == 1 and Sighting.objects.get().seen == 1


def test_a_claimed_handle_now_in_the_registry_is_no_longer_counted(terms):
    msg("MeridianHomeHelp")
    discovery.scan()
    f.account(network="x", handle="MeridianHomeHelp")
    msg("MeridianHomeHelp")
    discovery.scan()
    assert Sighting.objects.get().seen == 1


def test_the_demo_company_has_brand_terms_and_a_few_sightings():
    from unsilo.core.actor import Actor
    from unsilo.demo import seed as demo

    assert demo.seed_sightings(Actor.system()) == len(demo.SIGHTED)
    assert Discovery.current().terms == ["meridian", "meridianhome"]
    assert {(s.handle, s.seen) for s in Sighting.objects.all()} == {
        ("MeridianHomeHelp", 2), ("meridlan-support.bsky.social", 1), ("meridian_fans_club", 1)}
