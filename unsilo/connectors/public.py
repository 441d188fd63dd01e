"""The private-address guard: an address a person typed in (a feed, a reply URL, a Mastodon
instance, a Bluesky service) reaches only the public internet.

A name is resolved once per connection; when any of its addresses is private, loopback,
link-local, multicast, reserved, unspecified or one of those inside IPv6 (IPv4-mapped, 6to4,
Teredo, NAT64), nothing is sent. Otherwise the connection goes to exactly the address checked
(no second look-up a DNS rebinding could answer differently), while the Host header, TLS SNI
and the certificate check keep the name. Redirects open new connections, so each is checked.
Both HTTP stacks go through it: httpx (`PublicTransport`, used by `http.client(public_only=
True)`) and requests, which Mastodon.py speaks (`requests_session()`).
Settings: UNSILO_ALLOW_PRIVATE_URLS=1 turns the refusal off (a closed test network).
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

import httpcore
import httpx
import requests
import urllib3
from django.conf import settings
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from unsilo.connectors.base import ConnectorError, PermanentError
from unsilo.core.weburl import is_web_url

NAT64 = ipaddress.ip_network("64:ff9b::/96")
# A scheme without "//" (javascript:, mailto:), but not a host and port (example.com:8080).
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?!\d+(?:/|$))")


class PrivateAddress(PermanentError):
    """A typed-in address that leads inside a private network: refused, never retried."""


def _allowed() -> bool:
    return getattr(settings, "UNSILO_ALLOW_PRIVATE_URLS", False)


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local
                                 or ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def addresses(host: str, port: int) -> list[str]:
    """The addresses to connect to for `host`, resolved once and all of them public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ConnectorError(f"{host}: the name does not resolve ({error})") from error
    result = list(dict.fromkeys(info[4][0] for info in found))
    if not _allowed():
        for address in result:
            if not is_public(ipaddress.ip_address(address.split("%")[0])):
                raise PrivateAddress(f"{host} points inside a private network ({address}); "
                                     "unsilo only calls public addresses")
    return result


def typed_url(value: str) -> str:
    """A URL typed into a connect form, checked as the worker will call it: http(s), and
    (unless private addresses are allowed) a name that resolves to public addresses only.
    A bare host name means https. ValueError says what is wrong."""
    url = value.strip()
    if "://" not in url and not _SCHEME.match(url):
        url = f"https://{url}"
    if not is_web_url(url):
        raise ValueError("must be an http:// or https:// address")
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    if not _allowed():
        try:
            addresses(parts.hostname, port)
        except ConnectorError as error:
            raise ValueError(str(error)) from None
    return url


# httpx ----------------------------------------------------------------------------------------


class _PublicBackend(httpcore.SyncBackend):
    """httpcore opens every connection here: to a checked address, never to the name."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last: Exception | None = None
        for address in addresses(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address,
                                           socket_options)
            except httpcore.ConnectError as error:
                last = error
        raise last


class PublicTransport(httpx.HTTPTransport):
    """httpx's own transport whose connections go through the guard (TLS unchanged: httpcore
    sends SNI and checks the certificate for the URL's host)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._pool._network_backend = _PublicBackend()  # httpx has no argument for it


# requests (Mastodon.py) -----------------------------------------------------------------------


class _PublicConnection:
    """urllib3 opens every connection here: to a checked address, never to the name."""

    def _new_conn(self) -> socket.socket:
        last: Exception | None = None
        for address in addresses(self.host, self.port):
            try:
                return urllib3.util.connection.create_connection(
                    (address, self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options)
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. "
                                                f"(connect timeout={self.timeout})") from error
            except OSError as error:
                last = NewConnectionError(self, f"Failed to establish a new connection: "
                                                f"{error}")
        raise last


class _HTTPConnection(_PublicConnection, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_PublicConnection, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _PublicAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def requests_session() -> requests.Session:
    """A requests session whose every connection goes through the guard. It ignores the
    environment's proxies: through a proxy, the proxy would choose the address."""
    session = requests.Session()
    session.trust_env = False
    adapter = _PublicAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
