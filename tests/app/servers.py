"""Helpers for tests that start the service as users do, in its own process."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx

START_TIMEOUT_S = 120


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(proc: subprocess.Popen[bytes], port: int, log: Path | None = None) -> None:
    """Wait until the server ``proc`` answers ``/health`` on ``port``; fail (with its
    ``log``) if it exits or does not come up."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            text = log.read_text(errors="replace") if log is not None else ""
            raise AssertionError(f"the service exited ({proc.returncode})\n{text[-4000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the service did not come up"
        time.sleep(0.5)
