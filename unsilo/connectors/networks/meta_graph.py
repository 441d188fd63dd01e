"""Calling Meta's Graph API: the Page token in the header (never in a URL), the
appsecret_proof, Meta's usage headers read into the session, and Graph's error codes turned
into the connector errors (a rate limit and a revoked token come as 400 with a code).

Reference: https://developers.facebook.com/docs/graph-api/guides/error-handling and
https://developers.facebook.com/docs/graph-api/overview/rate-limiting
"""

import datetime
import hashlib
import hmac
import json
import os
import re

import httpx

from unsilo.connectors import http
from unsilo.connectors.base import AuthExpired, PermanentError, RateLimited, Session

GRAPH_VERSION = "v21.0"
API_BASE = f"https://graph.facebook.com/{GRAPH_VERSION}"
# Graph error codes that mean "too many calls" (app, user, page, business use case).
RATE_CODES = {4, 17, 32, 613, *range(80001, 80015)}
TOKEN_CODES = {102, 190, 463, 467}
RATE_WAIT = 300.0  # Meta's windows are an hour long; its headers usually say less


def parse_time(value) -> datetime.datetime:
    """Graph times: ISO with +0000, or epoch seconds (webhooks)."""
    if isinstance(value, int | float):
        return datetime.datetime.fromtimestamp(value, datetime.UTC)
    return datetime.datetime.fromisoformat(value)


# Calling the Graph API ------------------------------------------------------------------------


def app_secret() -> str:
    return os.environ.get("UNSILO_META_APP_SECRET", "").strip()


def appsecret_proof(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _usage(response: httpx.Response, session: Session) -> float | None:
    """Read Meta's usage headers (percentages of the allowance) into `session.rate`; return
    the seconds until calls are allowed again when Meta says."""
    percents, minutes = [], []
    for name in ("x-app-usage", "x-page-usage", "x-ad-account-usage"):
        if name in response.headers:
            try:
                usage = json.loads(response.headers[name])
                percents += [v for v in usage.values() if isinstance(v, int | float)]
            except (ValueError, AttributeError):
                pass
    if "x-business-use-case-usage" in response.headers:
        try:
            for cases in json.loads(response.headers["x-business-use-case-usage"]).values():
                for case in cases:
                    percents += [case.get(k, 0) for k in ("call_count", "total_cputime",
                                                           "total_time")]
                    minutes.append(case.get("estimated_time_to_regain_access") or 0)
        except (ValueError, AttributeError, TypeError):
            pass
    if percents:
        session.rate.limit, session.rate.remaining = 100, max(0, 100 - int(max(percents)))
    wait = max(minutes, default=0) * 60
    if wait:
        session.rate.reset_at = (datetime.datetime.now(datetime.UTC)
                                 + datetime.timedelta(seconds=wait))
    return wait or None


def _graph_errors(session: Session):
    """A response hook: Graph answers "too many calls" and "token revoked" with 400 or 403
    and a code in the body, which the shared status mapping cannot see."""
    def hook(response: httpx.Response) -> None:
        wait = _usage(response, session)
        if response.status_code < 400:
            return
        response.read()
        try:
            error = response.json().get("error") or {}
        except (ValueError, AttributeError):
            return
        code = error.get("code") if isinstance(error, dict) else None
        if code in RATE_CODES:
            raise RateLimited(http.error_text(response), wait or RATE_WAIT)
        if code in TOKEN_CODES:
            raise AuthExpired(http.error_text(response))
    return hook


def _client(session: Session) -> httpx.Client:
    client = http.client(session.options.get("api_base", API_BASE))
    client.event_hooks["response"] = [_graph_errors(session)]
    return client


def _bearer(session: Session) -> dict:
    token = session.secret.get("access_token")
    return {"Authorization": f"Bearer {token}"} if token else {}


def graph(session: Session, method: str, path: str, params: dict | None = None,
          data: dict | None = None, body: dict | None = None) -> dict:
    """One Graph call with the session's token in the header (never in the URL) and the
    appsecret_proof when the app secret is configured."""
    params = dict(params or {})
    secret, token = app_secret(), session.secret.get("access_token")
    if secret and token:
        params["appsecret_proof"] = appsecret_proof(token, secret)
    with _client(session) as client:
        response = http.call(session, client, method, path, params=params, data=data,
                             json=body, headers=_bearer)
    return response.json()


def graph_id(value: str) -> str:
    """A Graph id as a path segment: digits and underscores only."""
    if not re.fullmatch(r"[0-9_]+", value or ""):
        raise PermanentError(f"not a Graph id: {value[:50]!r}")
    return value


