"""The test provider (tests/oidc_provider/) as its own process on a loopback port, and a
person's browser as plain HTTP (requests, cookies per host) signing in through it."""

import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from unsilo.core import children

SERVE = Path(__file__).resolve().parents[1] / "oidc_provider" / "serve.py"
CONTROL_KEY = "control-key-for-tests"
CLIENT_ID, CLIENT_SECRET = "unsilo-tests", "unsilo-tests-secret-0123456789"
PASSWORD = "provider-password-1"


class Provider:
    def __init__(self, url: str, proc, data: str):
        self.url, self.proc, self.data = url, proc, data
        self.issuer = f"{url}/o"

    def stop(self) -> None:
        children.stop(self.proc, grace=5)
        shutil.rmtree(self.data, ignore_errors=True)

    def control(self, what: str, **data) -> dict:
        answer = requests.post(f"{self.url}/control/{what}", json=data, timeout=10,
                               headers={"X-Control-Key": CONTROL_KEY})
        answer.raise_for_status()
        return answer.json()

    def person(self, email: str, groups=(), *, email_verified=True, name=""):
        return self.control("users", email=email, password=PASSWORD, groups=list(groups),
                            email_verified=email_verified, name=name)


def start() -> Provider:
    """Start the provider; a provider that cannot start fails the test (never a skip)."""
    data = tempfile.mkdtemp(prefix="oidc-provider-")
    proc = children.start([sys.executable, str(SERVE), "--data", data,
                           "--control-key", CONTROL_KEY],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline, seen = time.monotonic() + 90, []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if found := re.search(r"listening on (http://127\.0\.0\.1:\d+)", line):
            return Provider(found.group(1), proc, data)
    children.stop(proc, grace=2)
    shutil.rmtree(data, ignore_errors=True)
    pytest.fail("the test OpenID provider did not start:\n" + "".join(seen[-30:]))


class Browser:
    """One person's browser: a cookie jar, redirects followed by hand."""

    def __init__(self, unsilo_url: str):
        self.unsilo = unsilo_url
        self.http = requests.Session()

    def follow(self, url: str, stop_at: str | None = None, limit: int = 12):
        """GET `url` and its redirects; stops before a URL starting with `stop_at`."""
        for _ in range(limit):
            if stop_at and url.startswith(stop_at):
                return url
            answer = self.http.get(url, allow_redirects=False, timeout=20)
            if answer.status_code not in (301, 302, 303):
                return answer
            url = urljoin(url, answer.headers["Location"])
        raise AssertionError(f"too many redirects, last {url}")

    def to_callback(self, email: str, start: str = "/login/sso/") -> str:
        """Start a sign-in at unsilo, sign in at the provider; the callback URL unsilo gets."""
        callback = f"{self.unsilo}/login/sso/callback/"
        answer = self.follow(f"{self.unsilo}{start}", stop_at=callback)
        if isinstance(answer, str):
            return answer  # already signed in at the provider
        assert urlsplit(answer.url).path == "/login/", answer.url
        form = {"username": email, "password": PASSWORD,
                "csrfmiddlewaretoken": self.http.cookies.get("idp_csrftoken"),
                "next": re.search(r'name="next" value="([^"]*)"', answer.text).group(1)
                .replace("&amp;", "&")}
        posted = self.http.post(answer.url, data=form, allow_redirects=False, timeout=20)
        assert posted.status_code == 302, posted.text[:500]
        found = self.follow(urljoin(answer.url, posted.headers["Location"]), stop_at=callback)
        assert isinstance(found, str), f"the provider did not send the browser back: {found}"
        return found

    def sign_in(self, email: str) -> requests.Response:
        """The whole sign-in; the page the browser lands on."""
        return self.follow(self.to_callback(email))

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.unsilo}{path}", allow_redirects=False, timeout=20)
