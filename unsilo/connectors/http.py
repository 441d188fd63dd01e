"""One HTTP client for the connectors that speak to a network's REST API with httpx.

It turns answers into the connector errors (`base.py`) the same way for every network:
429 → RateLimited (Retry-After, or the reset header), 401 → one token refresh and a second try,
then AuthExpired; 5xx and refused connections → ConnectorError (try again later); other 4xx →
PermanentError with the network's own message; a timeout on a write → InDoubt. It reads the
rate-limit headers each network sends into `session.rate`.
"""

import datetime
import email.utils
import functools
import json
import ssl
import time
from collections.abc import Callable

import httpx

from unsilo.connectors import public
from unsilo.connectors.base import (
    AuthExpired,
    ConnectorError,
    InDoubt,
    PermanentError,
    RateLimited,
    Session,
)

TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = "unsilo/0.1 (+https://github.com/unsilo)"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# When the network says 429 but not for how long.
DEFAULT_WAIT = 60.0


@functools.cache
def _tls() -> ssl.SSLContext:
    # Loading the CA bundle takes 50-100 ms: once per process, not once per client.
    return httpx.create_ssl_context()


def client(base_url: str = "", headers: dict | None = None, public_only: bool = False
           ) -> httpx.Client:
    """An httpx client with unsilo's timeouts and TLS. `public_only` for addresses a person
    typed in (a feed, a reply URL, an instance): every connection, redirects included, goes to
    a public address checked by `public.py` and pinned, so a connection cannot be used to
    reach inside the company's network. Such a client ignores the environment's proxies
    (through a proxy, the proxy would choose the address)."""
    extra = {"transport": public.PublicTransport(verify=_tls()), "trust_env": False} \
        if public_only else {}
    return httpx.Client(base_url=base_url, timeout=TIMEOUT, follow_redirects=True,
                        verify=_tls(), headers={"User-Agent": USER_AGENT, **(headers or {})},
                        **extra)


def _seconds_until(value: str, now: float) -> float | None:
    """A Retry-After or reset value: seconds, an epoch time, an ISO time or an HTTP date."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        # Large numbers are epoch times (X, Bluesky); small ones are seconds from now.
        return max(0.0, number - now) if number > 1e9 else max(0.0, number)
    try:
        when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - now)


def _header(response: httpx.Response, *names: str) -> str | None:
    for name in names:
        if name in response.headers:
            return response.headers[name]
    return None


def read_rate(response: httpx.Response, session: Session) -> None:
    """Copy the rate-limit headers the network sent into the session."""
    now = time.time()
    limit = _header(response, "x-rate-limit-limit", "x-ratelimit-limit", "ratelimit-limit")
    remaining = _header(response, "x-rate-limit-remaining", "x-ratelimit-remaining",
                        "ratelimit-remaining")
    reset = _header(response, "x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
    if remaining is None:
        return
    try:
        session.rate.remaining = int(float(remaining))
        session.rate.limit = int(float(limit)) if limit else session.rate.limit
    except ValueError:
        return
    seconds = _seconds_until(reset, now) if reset else None
    if seconds is not None:
        session.rate.reset_at = (datetime.datetime.now(datetime.UTC)
                                 + datetime.timedelta(seconds=seconds))


def error_text(response: httpx.Response) -> str:
    """The network's own words for an error, short; the status line when it gave none."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    words = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            words = error.get("message") or error.get("error_user_msg")
        elif isinstance(error, str):
            words = body.get("error_description") or body.get("message") or error
        words = words or body.get("detail") or body.get("message") or body.get("title")
        errors = body.get("errors")
        if not words and isinstance(errors, list) and errors and isinstance(errors[0], dict):
            words = errors[0].get("message") or errors[0].get("detail")
    if not words:
        words = response.text.strip()[:200] or response.reason_phrase
    return f"{response.status_code}: {str(words)[:500]}"


def _secrets(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _secrets(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _secrets(v)]
    return [value] if isinstance(value, str) and len(value) >= 6 else []


def without_secrets(words: str, session: Session | None) -> str:
    """A network may echo the credential it was sent in its error: never pass that on."""
    for secret in _secrets(session.secret if session is not None else {}):
        words = words.replace(secret, "[redacted]")
    return words


def check(response: httpx.Response, session: Session | None = None) -> httpx.Response:
    """Raise the connector error an answer means; return it when it is a success."""
    if session is not None:
        read_rate(response, session)
    status = response.status_code
    if status < 400:
        return response
    words = without_secrets(error_text(response), session)
    if status == 429:
        wait = _header(response, "retry-after")
        seconds = _seconds_until(wait, time.time()) if wait else None
        if seconds is None and session is not None and session.rate.reset_at:
            seconds = (session.rate.reset_at
                       - datetime.datetime.now(datetime.UTC)).total_seconds()
        raise RateLimited(words, seconds if seconds is not None else DEFAULT_WAIT)
    if status == 401:
        raise AuthExpired(words)
    if status >= 500 or status == 408:
        raise ConnectorError(words)
    raise PermanentError(words)


def call(session: Session, http: httpx.Client, method: str, url: str,
         refresh: Callable[[], None] | None = None, **kwargs) -> httpx.Response:
    """Send one request and `check` the answer; on 401 call `refresh` (which renews the
    session's token) and send it once more. Headers may be a function of the session, so a
    refreshed token goes out on the second try."""
    headers = kwargs.pop("headers", None)
    for attempt in (1, 2):
        sent = headers(session) if callable(headers) else headers
        try:
            response = http.request(method, url, headers=sent, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # nothing was sent
            raise ConnectorError(f"could not reach the network: {error}") from error
        except httpx.TransportError as error:  # sent, but no whole answer came back
            words = f"no answer from the network ({type(error).__name__}: {error})"
            if method.upper() in WRITES:
                raise InDoubt(words) from error
            raise ConnectorError(words) from error
        try:
            return check(response, session)
        except AuthExpired:
            if attempt == 2 or refresh is None:
                raise
            refresh()
    raise AssertionError("unreachable")
