"""A real HTTP server on loopback that answers like a network's API, for connector tests and
benchmarks: the connector under test speaks real HTTP (httpx, requests) to it, and the test
reads back every request it made (method, path, query, headers, body).

    api = FakeAPI()
    api.route("GET", "/2/users/me", json={"data": {"id": "1", "username": "acme"}},
              headers={"x-rate-limit-remaining": "74"})
    api.route("POST", "/2/tweets", [Reply(429, headers={"retry-after": "30"}),
                                     Reply(201, json={"data": {"id": "9"}})])
    ... connector.options["api_base"] = api.url ...
    assert api.requests[-1].headers["authorization"] == "Bearer …"
    api.close()

A route's answer is a Reply, a list of them (given in turn; the last one repeats), or a
function of the request returning a Reply. Paths match exactly, or as a regular expression when
the route's path starts with "^". Unknown paths answer 404 and are recorded too.
"""

import json
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    json: object = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (timeouts)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self):
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default


Answer = Reply | list[Reply] | Callable[[Request], Reply]


class FakeAPI:
    """`tls`: a server-side SSL context, to answer https (the guard's certificate tests)."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.requests: list[Request] = []
        self._routes: list[tuple[str, str, Answer]] = []
        self._turns: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(self.command, parts.path, parse_qs(parts.query),
                                  {k.lower(): v for k, v in self.headers.items()}, body)
                reply = api._answer(request)
                if reply.delay:
                    threading.Event().wait(reply.delay)
                payload = reply.body
                headers = dict(reply.headers)
                if reply.json is not None:
                    payload = json.dumps(reply.json).encode()
                    headers.setdefault("content-type", "application/json")
                try:
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.url = f"https://127.0.0.1:{self.port}"
        # A short poll, so that close() returns at once (the default waits up to 0.5 s).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()

    def route(self, method: str, path: str, answer: Answer | None = None, **reply) -> None:
        """Answer `method path` with `answer`, or with Reply(**reply). A later route for the
        same method and path replaces the earlier one."""
        answer = answer if answer is not None else Reply(**reply)
        with self._lock:
            self._routes = [r for r in self._routes if (r[0], r[1]) != (method, path)]
            self._routes.append((method, path, answer))
            self._turns.pop((method, path), None)

    def _answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            for method, path, answer in self._routes:
                if method != request.method:
                    continue
                if path.startswith("^"):
                    if not re.match(path, request.path):
                        continue
                elif path != request.path:
                    continue
                if isinstance(answer, list):
                    turn = self._turns.get((method, path), 0)
                    self._turns[(method, path)] = turn + 1
                    return answer[min(turn, len(answer) - 1)]
                if callable(answer):
                    break
                return answer
            else:
                return Reply(404, json={"error": f"no route for {request.method} "
                                                 f"{request.path}"})
        return answer(request)  # outside the lock: it may take its time

    def calls(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
