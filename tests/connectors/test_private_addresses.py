"""The private-address guard (connectors/public.py): an address typed into a connect form is
refused on the form and again in the worker when it leads inside a private network; the
address checked is the one connected to (a DNS answer that changes between two look-ups
cannot rebind it), redirects are checked too, and TLS still checks the certificate for the
name. The suite allows private addresses (its networks live on loopback): these tests turn
that off."""

import datetime
import ipaddress
import socket
import ssl

import httpx
import pytest
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests import factories as f
from tests.connectors import factories
from unsilo.connectors import public
from unsilo.connectors.base import Outbound
from unsilo.connectors.models import Connection, ConnectionStatus
from unsilo.connectors.networks.bluesky import BlueskyConnector
from unsilo.connectors.networks.mastodon import MastodonConnector
from unsilo.connectors.networks.rss import FeedConnector
from unsilo.connectors.testing.fakeapi import FakeAPI, Reply

PUBLIC_IP = "93.184.216.34"  # stands for any public address; never really connected to
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
       b"<item><title>One</title><guid>urn:1</guid></item></channel></rss>")

REFUSED = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.9", "192.168.1.1",
           "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.251", "240.0.0.1",
           "255.255.255.255", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
           "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b::a00:1",
           "2001:0:4136:e378::80ff:fffe", "::127.0.0.1"]
ALLOWED = ["93.184.216.34", "1.1.1.1", "2606:2800:220:1:248:1893:25c8:1946",
           "::ffff:93.184.216.34"]


@pytest.fixture
def guarded(settings):
    settings.UNSILO_ALLOW_PRIVATE_URLS = False
    settings.UNSILO_DEMO_DELIVERY = False


@pytest.fixture
def internal():
    """A service inside the company's network (on loopback) that must never be called."""
    server = FakeAPI()
    server.route("GET", "/feed.xml", body=b"internal secrets")
    yield server
    server.close()


@pytest.fixture
def outside():
    """Stands for a public server: connections to PUBLIC_IP are routed here."""
    server = FakeAPI()
    yield server
    server.close()


class DNS:
    """The answers the test gives for names (one list per name: an answer per look-up, the
    last repeating), how often each was looked up, and where PUBLIC_IP really is."""

    def __init__(self, public_port: int):
        self.answers: dict[str, list[str]] = {}
        self.asked: dict[str, int] = {}
        self.public_port = public_port
        self.connected: list[tuple[str, int]] = []


@pytest.fixture
def dns(monkeypatch, outside):
    """Name look-ups answered by the test (others as usual), and connections to PUBLIC_IP
    routed to a server on loopback (`outside` unless the test says another)."""
    fake = DNS(outside.port)
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in fake.answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        turn = fake.asked.get(host, 0)
        fake.asked[host] = turn + 1
        address = fake.answers[host][min(turn, len(fake.answers[host]) - 1)]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    def routed(real):
        def connect(address, *args, **kwargs):
            host, port = address[:2]
            found = getaddrinfo(host, port)[0][4][0]  # a name is looked up, as for real
            target = ("127.0.0.1", fake.public_port) if found == PUBLIC_IP else (found, port)
            fake.connected.append(target)
            return real(target, *args, **kwargs)
        return connect

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", routed(socket.create_connection))
    monkeypatch.setattr(urllib3.util.connection, "create_connection",
                        routed(urllib3.util.connection.create_connection))
    return fake


# Which addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize("address", REFUSED)
def test_private_and_special_addresses_are_not_public(address):
    assert not public.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_public(address):
    assert public.is_public(ipaddress.ip_address(address))


# On the form ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("network, field, value, reason", [
    ("rss", "feed_url", "http://127.0.0.1:{port}/feed.xml", "points inside a private network"),
    ("rss", "feed_url", "http://intranet.example/feed.xml", "(10.0.0.7)"),
    ("rss", "feed_url", "http://[::ffff:127.0.0.1]:{port}/", "points inside a private network"),
    ("rss", "feed_url", "javascript:alert(1)//", "must be an http:// or https:// address"),
    ("rss", "feed_url", "file:///etc/passwd", "must be an http:// or https:// address"),
    ("bluesky", "service", "http://127.0.0.1:{port}", "points inside a private network"),
    ("webhook", "reply_url", "http://169.254.169.254/latest", "points inside a private network"),
    ("mastodon", "instance", "127.0.0.1:{port}", "points inside a private network"),
    ("mastodon", "instance", "intranet.example", "(10.0.0.7)"),
])
def test_the_connect_form_refuses_an_address_inside_the_network(
        guarded, dns, internal, login, admin, network, field, value, reason):
    dns.answers["intranet.example"] = ["10.0.0.7"]
    account = f.account(f.silo("Care"), network=network, handle=f"acme-{network}")
    response = login(admin).post(f"/accounts/{account.pk}/connect/", {
        field: value.format(port=internal.port), "app_password": "app-pass-1234"})
    assert response.status_code == 200  # the form again, not a redirect to the network
    errors = response.context["form"].errors[field]
    assert reason in errors[0], errors
    assert not Connection.objects.exists()
    assert internal.requests == []


@pytest.mark.django_db
def test_the_connect_form_stores_a_public_address_as_https(guarded, dns, login, admin):
    dns.answers["feeds.example"] = [PUBLIC_IP]
    account = f.account(f.silo("Care"), network="rss", handle="news")
    response = login(admin).post(f"/accounts/{account.pk}/connect/",
                                 {"feed_url": "feeds.example/news.xml"})
    assert response.status_code == 302
    assert Connection.objects.get().options["feed_url"] == "https://feeds.example/news.xml"


# In the worker --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bluesky_never_sends_the_app_password_to_a_private_service(guarded, internal):
    internal.route("POST", "/xrpc/com.atproto.server.createSession",
                   json={"accessJwt": "a", "refreshJwt": "r", "did": "did:plc:x"})
    conn = factories.connection("bluesky", handle="acme.test",
                                options={"service": internal.url},
                                secret={"app_password": "app-pass-1234"})
    with pytest.raises(public.PrivateAddress, match=r"private network \(127\.0\.0\.1\)"):
        BlueskyConnector().verify(factories.session(conn))
    assert internal.requests == []


@pytest.mark.django_db
def test_the_worker_marks_a_private_mastodon_instance_as_an_error(
        guarded, internal, django_capture_on_commit_callbacks):
    from unsilo.connectors import tasks

    internal.route("GET", "/api/v1/accounts/verify_credentials", json={"id": "1", "acct": "a"})
    conn = factories.connection("mastodon", handle="acme@social.example",
                                options={"instance": internal.url},
                                secret={"access_token": "tok-1"},
                                status=ConnectionStatus.PENDING)
    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.ERROR
    conn.refresh_from_db()
    assert "points inside a private network (127.0.0.1)" in conn.last_error
    assert internal.requests == []


@pytest.mark.django_db
def test_mastodon_writes_to_a_private_instance_are_refused_not_in_doubt(guarded, internal):
    conn = factories.connection("mastodon", handle="acme@social.example",
                                options={"instance": internal.url},
                                secret={"access_token": "tok-1"})
    out = Outbound(delivery_id=1, kind="post", network="mastodon", account_handle="acme",
                   text="Hello", idempotency_key="k-1",
                   created_at=datetime.datetime.now(datetime.UTC))
    with pytest.raises(public.PrivateAddress):
        MastodonConnector().publish(factories.session(conn), out)
    assert internal.requests == []


@pytest.mark.django_db
def test_an_instance_that_does_not_answer_like_mastodon_is_a_clear_error(
        login, admin, internal):
    # Private addresses allowed (the suite's default): the instance answers, but not an app.
    internal.route("POST", "/api/v1/apps", json={"error": "what app?"})
    account = f.account(f.silo("Care"), network="mastodon", handle="acme@social.example")
    response = login(admin).post(f"/accounts/{account.pk}/connect/",
                                 {"instance": internal.url})
    assert response.status_code == 200
    assert "did not answer like a Mastodon server" in response.content.decode()
    assert not Connection.objects.exists()


def test_the_event_stream_never_looks_up_a_did_web_inside_the_network(guarded, dns):
    from unsilo.connectors.firehose import Handles

    dns.answers["intranet.example"] = ["127.0.0.1"]
    did = "did:web:intranet.example"
    assert Handles("https://plc.example").of(did) == did
    assert dns.connected == []


# One look-up, the address it gave ------------------------------------------------------------


@pytest.mark.django_db
def test_a_name_that_rebinds_to_loopback_after_the_check_is_not_followed(
        guarded, dns, internal, outside):
    dns.answers["rebind.example"] = [PUBLIC_IP, "127.0.0.1"]
    outside.route("GET", "/feed.xml", body=RSS, headers={"content-type": "application/rss+xml"})
    conn = factories.connection("rss", handle="news", options={
        "feed_url": f"http://rebind.example:{internal.port}/feed.xml"})
    info = FeedConnector().verify(factories.session(conn))
    assert info.display_name == "News"
    assert internal.requests == []
    assert dns.asked["rebind.example"] == 1
    # The pinned address is used, but the request still names the host it is for.
    assert outside.requests[0].headers["host"] == f"rebind.example:{internal.port}"


@pytest.mark.django_db
def test_mastodon_connects_to_the_address_checked(guarded, dns, internal, outside):
    dns.answers["social.example"] = [PUBLIC_IP, "127.0.0.1"]
    outside.route("GET", "/api/v1/accounts/verify_credentials",
                  json={"id": "109302", "acct": "acme", "display_name": "ACME"})
    conn = factories.connection("mastodon", handle="acme@social.example", options={
        "instance": f"http://social.example:{internal.port}"}, secret={"access_token": "t"})
    info = MastodonConnector().verify(factories.session(conn))
    assert info.external_id == "109302"
    assert internal.requests == []
    assert dns.asked["social.example"] == 1
    assert outside.requests[0].headers["host"] == f"social.example:{internal.port}"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/feed.xml",
                                    "http://intranet.example:{port}/feed.xml"])
def test_a_redirect_inside_the_network_is_refused(guarded, dns, internal, outside, target):
    dns.answers["feeds.example"], dns.answers["intranet.example"] = [PUBLIC_IP], ["127.0.0.1"]
    outside.route("GET", "/feed.xml", Reply(302, headers={
        "location": target.format(port=internal.port)}))
    conn = factories.connection("rss", handle="news", options={
        "feed_url": f"http://feeds.example:{outside.port}/feed.xml"})
    with pytest.raises(public.PrivateAddress):
        FeedConnector().verify(factories.session(conn))
    assert len(outside.requests) == 1 and internal.requests == []


# TLS keeps the name ---------------------------------------------------------------------------


def _certificates(tmp_path):
    """A CA, and a certificate it signed for feeds.example only."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feeds.example")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("feeds.example")]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(pem) + key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return tmp_path / "ca.pem", tmp_path / "leaf.pem"


@pytest.mark.django_db
def test_tls_sends_the_name_and_checks_the_certificate_for_it(guarded, dns, tmp_path):
    dns.answers["feeds.example"] = dns.answers["other.example"] = [PUBLIC_IP]
    ca, leaf = _certificates(tmp_path)
    names = []
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(leaf)
    server_tls.sni_callback = lambda sock, name, context: names.append(name)
    secure = FakeAPI(tls=server_tls)
    dns.public_port = secure.port
    try:
        secure.route("GET", "/feed.xml", body=RSS)
        url = f"https://feeds.example:{secure.port}/feed.xml"
        client_tls = ssl.create_default_context(cafile=str(ca))
        with httpx.Client(transport=public.PublicTransport(verify=client_tls),
                          trust_env=False) as client:
            assert client.get(url).content == RSS
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                client.get(f"https://other.example:{secure.port}/feed.xml")
        # Mastodon.py's requests session: the same name sent, the same certificate check.
        assert public.requests_session().get(url, verify=str(ca), timeout=10).content == RSS
        with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
            public.requests_session().get(f"https://other.example:{secure.port}/feed.xml",
                                          verify=str(ca), timeout=10)
        assert names[:2] == ["feeds.example", "other.example"]
        assert "feeds.example" in names[2:]
        assert len(secure.requests) == 2
    finally:
        secure.close()


@pytest.mark.django_db
def test_a_connection_to_something_that_is_not_mastodon_is_an_error_with_the_reason(internal):
    from unsilo.connectors import tasks

    internal.route("GET", "/api/v1/accounts/verify_credentials", json={"hello": "world"})
    conn = factories.connection("mastodon", handle="acme@social.example",
                                options={"instance": internal.url},
                                secret={"access_token": "tok-1"},
                                status=ConnectionStatus.PENDING)
    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.ERROR
    conn.refresh_from_db()
    assert "did not answer like a Mastodon server" in conn.last_error
