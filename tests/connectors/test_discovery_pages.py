"""The Unregistered page: the hub claims, registers, reports or dismisses what the scan found;
each decision with its audit row; other roles may not."""

import pytest
from django.utils import timezone

from tests import factories as f
from unsilo.accounts.models import Account, AccountStatus
from unsilo.connectors.models import Discovery, Sighting, SightingStatus
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def sighting():
    example = Message.objects.create(network="x", external_id="e1", author="MeridianHomeHelp",
                                     text="<script>alert(1)</script> DM us for a refund",
                                     created_at=timezone.now())
    return Sighting.objects.create(network="x", handle="MeridianHomeHelp", matched="meridian",
                                   seen=4, example=example)


def decide(client, sighting, what, **data):
    return client.post(f"/accounts/unregistered/{sighting.pk}/{what}/", data, follow=True)


def test_the_hub_sees_new_sightings_with_counts_and_escaped_examples(login, admin, sighting):
    Discovery.objects.create(pk=1, terms=["meridian"])
    Sighting.objects.create(network="x", handle="meridian_fan", matched="meridian",
                            status=SightingStatus.DISMISSED)
    client = login(admin)
    assert "/accounts/unregistered/" in client.get("/accounts/").content.decode()
    response = client.get("/accounts/unregistered/")
    page = response.content.decode()
    assert "https://x.com/MeridianHomeHelp" in page and "4×" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "meridian_fan" not in page
    tabs = {t["value"]: t["n"] for t in response.context["tabs"]}
    assert tabs == {"new": 1, "claimed": 0, "registered": 0, "reported": 0, "dismissed": 1}
    assert "meridian_fan" in client.get("/accounts/unregistered/?status=dismissed").content.decode()


def test_without_terms_the_page_says_how_to_add_them_and_saving_them_is_audited(login, admin):
    client = login(admin)
    assert "No brand terms are set" in client.get("/accounts/unregistered/").content.decode()
    response = client.post("/accounts/unregistered/", {"terms": "Meridian, meridianhome\nmh"})
    assert response.status_code == 200 and "3 letters or more" in response.content.decode()
    client.post("/accounts/unregistered/", {"terms": "Meridian, meridianhome"})
    assert Discovery.current().terms == ["meridian", "meridianhome"]
    event = AuditEvent.objects.get(object_type="connectors.discovery")
    assert event.changes == {"terms": [[], ["meridian", "meridianhome"]]}


def test_claim_puts_the_handle_in_the_registry_as_unregistered_for_a_silo(
        login, admin, sighting):
    care = f.silo("Care")
    response = decide(login(admin), sighting, "claim", owner_silo=care.pk, note="Care's old one")
    assert "Claimed MeridianHomeHelp" in response.content.decode()
    sighting.refresh_from_db()
    account = Account.objects.get(network="x", handle="MeridianHomeHelp")
    assert (account.status, account.owner_silo) == (AccountStatus.UNREGISTERED, care)
    assert (sighting.status, sighting.account, sighting.decided_by) == (
        SightingStatus.CLAIMED, account, admin)
    assert AuditEvent.objects.filter(action="create", object_id=str(account.pk)).exists()
    event = AuditEvent.objects.get(action="sighting_claimed")
    assert event.changes["status"] == ["new", "claimed"] and event.silo_id == care.pk
    # The silo's captain can now complete it in the registry.
    captain = f.user(Role.CAPTAIN, care)
    assert login(captain).get(f"/accounts/{account.pk}/edit/").status_code == 200


def test_register_opens_the_register_form_filled_in_and_saving_registers(
        login, admin, sighting):
    care = f.silo("Care")
    stewards = [f.person(care), f.person(care)]
    client = login(admin)
    form = client.get(f"/accounts/unregistered/{sighting.pk}/register/").context["form"]
    assert (form["network"].value(), form["handle"].value()) == ("x", "MeridianHomeHelp")
    response = client.post(f"/accounts/unregistered/{sighting.pk}/register/", {
        "network": "x", "handle": "MeridianHomeHelp", "owner_silo": care.pk,
        "status": AccountStatus.ACTIVE, "stewards": "\n".join(p.email for p in stewards)})
    account = Account.objects.get(handle="MeridianHomeHelp")
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.pk}/"
    sighting.refresh_from_db()
    assert (sighting.status, sighting.account) == (SightingStatus.REGISTERED, account)
    assert AuditEvent.objects.filter(action="sighting_registered").count() == 1


def test_report_needs_a_note_and_dismiss_and_reopen_are_audited(login, admin, sighting):
    client = login(admin)
    refused = decide(client, sighting, "report", note=" ")
    assert "Say why it is an impostor" in refused.content.decode()
    decide(client, sighting, "report", note="Phishing for card numbers; reported to X.")
    sighting.refresh_from_db()
    assert sighting.status == SightingStatus.REPORTED and "Phishing" in sighting.note
    decide(client, sighting, "reopen")
    decide(client, sighting, "dismiss")
    sighting.refresh_from_db()
    assert sighting.status == SightingStatus.DISMISSED
    actions = list(AuditEvent.objects.filter(object_type="connectors.sighting")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["sighting_reported", "sighting_reopened", "sighting_dismissed"]
    assert client.post(f"/accounts/unregistered/{sighting.pk}/nonsense/").status_code == 404


@pytest.mark.parametrize("role", [Role.CAPTAIN, Role.RESPONDER, Role.REVIEWER, Role.VIEWER])
def test_only_the_hub_reviews_sightings(login, role, sighting):
    client = login(f.user(role))
    assert client.get("/accounts/unregistered/").status_code == 403
    assert "/accounts/unregistered/" not in client.get("/accounts/").content.decode()
    for what in ("claim", "report", "dismiss"):
        assert client.post(f"/accounts/unregistered/{sighting.pk}/{what}/",
                           {"note": "x"}).status_code == 403
    assert client.get(f"/accounts/unregistered/{sighting.pk}/register/").status_code == 403
    assert client.post("/accounts/unregistered/", {"terms": "acme"}).status_code == 403
    sighting.refresh_from_db()
    assert sighting.status == SightingStatus.NEW and not AuditEvent.objects.exists()
