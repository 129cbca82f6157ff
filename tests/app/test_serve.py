"""The start command of the Docker image, run as the image runs it: ``relos serve`` with
two worker processes (RELOS_WORKERS), answering the image's health check."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
RELOS = Path(sys.executable).with_name("relos")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_image_start_command_serves_with_two_workers(tmp_path: Path) -> None:
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert cmd is not None and '"relos", "serve"' in cmd.group(1)
    port = _free_port()
    env = {
        **os.environ,
        "RELOS_WORKERS": "2",
        "RELOS_DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite",
    }
    proc = subprocess.Popen(
        [str(RELOS), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, "the service exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the service did not come up"
            time.sleep(0.5)
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) >= 2, children  # two workers (and maybe a helper)
        # the image's HEALTHCHECK, as written there
        check = re.search(r'CMD python -c "(.*)"$', (ROOT / "Dockerfile").read_text(), re.M)
        assert check is not None
        code = check.group(1).replace("8000", str(port))
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
