"""A small SMTP server for the tests and the benchmark (aiosmtpd, loopback, a free port): it
writes each message it accepts to a file of its own in OUT, and takes orders from files in
CONTROL, read at each command:

  refuse   a number N: answer the next N recipients 451 (try later), counting down
  reject   present: answer every recipient 550 (no such mailbox)
  stall    a number K: once K messages are stored, hold the next recipient unanswered (and
           create `stalled`) until `stall` is removed

Prints `port N` once it listens. Run: python smtp_sink.py OUT CONTROL
"""

import asyncio
import itertools
import os
import sys
from pathlib import Path

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out: Path, control: Path):
        self.out, self.control = out, control
        self.numbers = itertools.count(1)

    def stored(self) -> int:
        return sum(1 for p in self.out.iterdir() if p.suffix == ".eml")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refuse = self.control / "refuse"
        if refuse.exists() and int(refuse.read_text() or 0) > 0:
            refuse.write_text(str(int(refuse.read_text()) - 1))
            return "451 4.3.0 Busy: try again later"
        if (self.control / "reject").exists():
            return "550 5.1.1 No such mailbox here"
        stall = self.control / "stall"
        if stall.exists() and self.stored() >= int(stall.read_text() or 0):
            (self.control / "stalled").touch()
            while stall.exists():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{os.getpid()}-{next(self.numbers):06d}"
        tmp = self.out / f"{name}.tmp"
        tmp.write_bytes(envelope.content)
        tmp.rename(self.out / f"{name}.eml")
        return "250 OK: stored"


def main() -> None:
    out, control = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    control.mkdir(parents=True, exist_ok=True)
    loop = asyncio.new_event_loop()
    sink = Sink(out, control)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(sink, hostname="sink.test"), "127.0.0.1", 0))
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    loop.run_forever()


if __name__ == "__main__":
    main()
