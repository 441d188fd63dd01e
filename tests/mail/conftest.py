import subprocess
import sys
from pathlib import Path

import pytest

SINK = Path(__file__).with_name("smtp_sink.py")


class SMTPSink:
    """A test SMTP server process: `port`, `messages()` (the raw emails it holds), and
    `order(name, value)` / `cancel(name)` to make it refuse, reject or stall."""

    def __init__(self, processes, root: Path):
        self.out, self.control = root / "received", root / "control"
        self.proc = processes([sys.executable, str(SINK), str(self.out), str(self.control)],
                              stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("port "), line
        self.port = int(line.split()[1])

    def messages(self) -> list[bytes]:
        return [p.read_bytes() for p in sorted(self.out.glob("*.eml"))]

    def order(self, name: str, value: str = "") -> None:
        (self.control / name).write_text(value)

    def cancel(self, name: str) -> None:
        (self.control / name).unlink(missing_ok=True)


@pytest.fixture
def smtp_sink(processes, tmp_path):
    return SMTPSink(processes, tmp_path / "smtp")
