"""A message's `url` is a link only when it is http(s): refused at the API and in
`unsilo ingest` (naming the field, nothing stored), dropped when anything else stores it, and
never rendered into an href, however the scheme is disguised."""

import json

import pytest
from click.testing import CliRunner

from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.weburl import is_web_url, web_url
from unsilo.inbox import ingest
from unsilo.inbox.cli.ingest import ingest as ingest_command
from unsilo.inbox.models import Message
from unsilo.learning.types import Incoming

# Each is a script or a foreign page once a browser reads it as a link's target.
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/relative/path",
    "https:evil.example",
    "https://",
    "https ://evil.example",
]
GOOD = ["https://bsky.app/profile/ann/post/3k", "http://example.com/a?b=1#c",
        "HTTPS://EXAMPLE.COM/", "https://例え.jp/パス", "https://[2001:db8::1]:8443/x"]


def message(n=1, **fields) -> dict:
    return {"id": f"m{n}", "network": "bluesky", "text": "Where is my parcel?",
            "author": "ann.bsky.social", "created_at": "2026-03-01T09:30:00Z", **fields}


@pytest.mark.parametrize("url", HOSTILE)
def test_only_absolute_http_urls_are_web_urls(url):
    assert not is_web_url(url) and web_url(url) == ""


@pytest.mark.parametrize("url", GOOD)
def test_http_and_https_urls_are_kept_as_they_are(url):
    assert web_url(url) == url


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE)
def test_the_api_refuses_a_url_that_is_not_http_naming_the_field(api, admin, url):
    response = api(admin).post("/api/v1/messages", [message(0), message(1, url=url)],
                               content_type="application/json")
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert (error["index"], error["field"]) == (1, "url")
    assert "is not an http:// or https:// URL" in error["reason"]
    assert not Message.objects.exists()  # all or nothing


@pytest.mark.django_db
def test_the_api_stores_an_https_url(api, admin):
    response = api(admin).post("/api/v1/messages", message(url=GOOD[0]),
                               content_type="application/json")
    assert response.status_code in (200, 201, 202), response.content
    assert Message.objects.get().url == GOOD[0]


@pytest.mark.django_db
def test_unsilo_ingest_names_the_line_and_field_and_stores_nothing(tmp_path):
    lines = [message(1), message(2, url="JaVaScRiPt:alert(1)"), message(3, url="java\tscript:x")]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in lines) + "\n")
    result = CliRunner().invoke(ingest_command, [str(path)])
    assert result.exit_code == 1
    assert 'line 2: url: "JaVaScRiPt:alert(1)" is not an http:// or https:// URL' in result.stderr
    assert 'line 3: url: "java\\tscript:x" is not an http:// or https:// URL' in result.stderr
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE)
def test_a_message_stored_by_a_connector_keeps_its_text_and_loses_the_link(url):
    incoming = Incoming(id="c1", network="rss", text="New post", author="feed",
                        created_at=ingest.parse_time("2026-03-01T09:30:00Z"), url=url)
    report = ingest.store([incoming], Actor.system(), "rss connector")
    assert report.new == 1
    assert Message.objects.get().url == ""


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE)
def test_a_link_stored_before_this_check_is_not_rendered(login, admin, url):
    conversation = inbox.conversation(None)
    Message.objects.filter(conversation=conversation).update(url=url)
    page = login(admin).get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert "Where is my parcel?" in page
    assert "on bluesky</a>" not in page
    assert "javascript:" not in page.lower() and "vbscript:" not in page
    assert 'href="//evil' not in page and 'href="data:' not in page


@pytest.mark.django_db
def test_an_https_link_is_rendered_on_the_conversation(login, admin):
    conversation = inbox.conversation(None)
    Message.objects.filter(conversation=conversation).update(url=GOOD[0])
    page = login(admin).get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert f'<a href="{GOOD[0]}" rel="noopener noreferrer">on bluesky</a>' in page


@pytest.mark.django_db
def test_the_api_never_hands_out_a_link_stored_before_this_check(api, admin):
    conversation = inbox.conversation(None)
    Message.objects.filter(conversation=conversation).update(url="javascript:alert(1)")
    body = api(admin).get(f"/api/v1/conversations/{conversation.pk}").json()
    assert [m["url"] for m in body["messages"]] == [""]
