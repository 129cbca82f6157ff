"""The start command of the Docker image, run as the image runs it: ``relos serve`` with
two worker processes (RELOS_WORKERS), answering the image's health check."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.app.servers import free_port, wait_up

ROOT = Path(__file__).resolve().parents[2]
RELOS = Path(sys.executable).with_name("relos")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _image_settings(dockerfile: str) -> dict[str, str]:
    """The ``RELOS_*`` settings of the image's last stage's ``ENV`` lines that follow
    its ``USER`` (how the service is started, not where its files are)."""
    tail = dockerfile[dockerfile.rindex("\nUSER ") :]
    found: dict[str, str] = {}
    for block in re.findall(r"^ENV ((?:.*\\\n)*.*)$", tail, re.MULTILINE):
        found.update(re.findall(r"(RELOS_[A-Z_]+)=(\S+)", block))
    return found


def test_the_image_start_command_serves_with_compute_processes(tmp_path: Path) -> None:
    """The image's CMD as written (every interface) with the image's settings (a server
    process and compute processes): it answers its health check and computes, reads
    are open, and writes need an API key."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    args = json.loads(cmd.group(1))
    assert args[:2] == ["relos", "serve"] and args[args.index("--host") + 1] == "0.0.0.0"
    image = _image_settings(dockerfile)
    assert int(image["RELOS_COMPUTE_PROCESSES"]) >= 2, image
    port = free_port()
    args[args.index("--port") + 1] = str(port)
    db_url = f"sqlite:///{tmp_path}/serve.sqlite"
    env = {**os.environ, **image, "RELOS_DATABASE_URL": db_url}
    proc = subprocess.Popen(
        [str(RELOS), *args[1:]],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(proc, port)
        base = f"http://127.0.0.1:{port}"
        scenario = {"name": "suez shut", "closed": ["suez"]}
        assert httpx.get(f"{base}/scenarios", timeout=30).status_code == 200
        assert httpx.post(f"{base}/scenarios", json=scenario, timeout=30).status_code == 401
        made = subprocess.run(
            [str(RELOS), "keys", "create", "--role", "planner", "--name", "ops", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        key = json.loads(made.stdout)["key"]
        saved = httpx.post(
            f"{base}/scenarios",
            json=scenario,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert saved.status_code == 201 and saved.json()["owner"] == "ops"
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) >= 2, children  # the compute processes (and maybe a helper)
        route = httpx.get(
            f"{base}/routes",
            params={"origin": "in-mumbai-naval-dockyard", "destination": "fr-toulon-naval-base"},
            timeout=60,
        )
        assert route.status_code == 200 and route.json()["properties"]["distance_nm"] > 4000
        # the image's HEALTHCHECK, as written there
        check = re.search(r'CMD python -c "(.*)"$', (ROOT / "Dockerfile").read_text(), re.M)
        assert check is not None
        code = check.group(1).replace("8000", str(port))
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    finally:
        _stop(proc)


def test_a_client_that_leaves_stops_its_computation(tmp_path: Path) -> None:
    """A comparison that would compute for minutes, abandoned by its client after a
    second: the server stops it, so the next heavy request (which waits its turn behind
    it) is answered at once rather than after it."""
    port = free_port()
    env = {
        **os.environ,
        "RELOS_DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite",
        "RELOS_HEAVY_CONCURRENCY": "1",
        "RELOS_REQUEST_BUDGET_S": "0",
    }
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(RELOS), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_up(proc, port)
        base = f"http://127.0.0.1:{port}"
        plan = {
            "nation": "IND",
            "platform": "talwar",
            "origin": "in-mumbai-naval-dockyard",
            "destination": "ru-severomorsk-naval-base",
            "departure": "2027-01-01",
        }
        closable = ["suez", "bab-el-mandeb", "hormuz", "malacca", "gibraltar", "panama"]
        scenarios = [
            {"name": f"s{i}", "closed": list(shut)}
            for i, shut in enumerate(itertools.combinations(closable, 3))
        ]
        with pytest.raises(httpx.ReadTimeout):  # the client gives up and disconnects
            httpx.post(f"{base}/compare", json={"plan": plan, "scenarios": scenarios}, timeout=1)
        started = time.monotonic()
        route = httpx.get(
            f"{base}/routes",
            params={"origin": "in-mumbai-naval-dockyard", "destination": "om-duqm-port"},
            timeout=120,
        )
        waited = time.monotonic() - started
        assert route.status_code == 200
        assert waited < 20, f"the next heavy request waited {waited:.1f} s"
        text = (tmp_path / "serve.log").read_text(errors="replace")
        assert "POST /compare: the client left after" in text, text[-2000:]
    finally:
        _stop(proc)
        log.close()
