"""Child processes that tests, benchmarks and the local test servers start: each in a process
group of its own, so stopping it also ends whatever it spawned, and none outlives the run that
started it (a timeout, a failed assertion or Ctrl-C included)."""

import atexit
import contextlib
import os
import signal
import subprocess

_running: list[subprocess.Popen] = []


def start(args, **kwargs) -> subprocess.Popen:
    """subprocess.Popen in a new session (its own process group), stopped at exit at the
    latest."""
    proc = subprocess.Popen(args, start_new_session=True, **kwargs)  # noqa: S603 - callers' own
    _running.append(proc)
    return proc


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 15.0) -> int:
    """Send `sig` to the process's group, wait up to `grace` seconds, then kill the group.
    Returns the exit code. Safe on a process that has already ended."""
    if proc.poll() is None:
        _signal_group(proc, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    # Kill the group even when its leader ended: a child it spawned may still run.
    _signal_group(proc, signal.SIGKILL)
    proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    with contextlib.suppress(ValueError):
        _running.remove(proc)
    return proc.returncode


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


@atexit.register
def _stop_all() -> None:
    for proc in list(_running):
        stop(proc, grace=2.0)
