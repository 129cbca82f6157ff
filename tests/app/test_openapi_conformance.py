"""Schemathesis against the running service and its own OpenAPI document.

The service is started as users start it (``relos serve``, the real catalogue and sea
graph, a fresh database) and schemathesis generates requests for every operation from
/openapi.json: examples, boundary values, random and malformed inputs, and stateful
sequences (save a scenario, then read, replace and delete it). Every answer must be no
server error, carry a documented status code and content type, and match the
documented schema. ``RELOS_SCHEMATHESIS_EXAMPLES`` and ``RELOS_SCHEMATHESIS_SEED`` run
it longer or with other data (CI runs the defaults: the same cases each time).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.app.servers import free_port, wait_up

BIN = Path(sys.executable).parent
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


def test_every_operation_conforms_to_the_openapi_document(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "RELOS_DATABASE_URL": f"sqlite:///{tmp_path}/fuzz.sqlite",
        "RELOS_REQUEST_BUDGET_S": "10",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(BIN / "relos"), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(server, port, log_path)
            run = subprocess.run(
                [
                    str(BIN / "st"),
                    "run",
                    f"{base}/openapi.json",
                    "--checks",
                    ",".join(CHECKS),
                    "--max-examples",
                    os.environ.get("RELOS_SCHEMATHESIS_EXAMPLES", "4"),
                    "--seed",
                    os.environ.get("RELOS_SCHEMATHESIS_SEED", "1"),
                    # one thread: Python 3.11.7's ast module is not thread-safe (CPython
                    # gh-106905), and hypothesis parses lambdas while generating
                    "--workers",
                    "1",
                    "--request-timeout",
                    "60",
                    "--generation-database",
                    "none",
                    "--no-color",
                ],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=1200,
                check=False,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = run.stdout + run.stderr
    assert "Tested: " in report, report[-3000:]
    assert run.returncode == 0, report[-12000:] + log_path.read_text(errors="replace")[-4000:]
