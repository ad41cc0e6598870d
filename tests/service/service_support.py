"""A real `accel666 serve` process on a test database, and what the tests need to drive it.

The service runs on the wall clock (a real process), so its policy adds a batch "now" whose
windows are all open from 60 days before today to 60 days after, in China time: the lifecycle
can be walked through from start to end on any day the suite runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from accel666 import Engine
from tests.workflow.wf_support import builtin_policy_text

ACCEL666 = str(Path(sys.executable).with_name("accel666"))
OPEN_BATCH = "now"
ROLES = {"province": "province", "tencent": "tencent", "suzhou": "city:suzhou",
         "kunshan": "city:kunshan"}


def open_policy(folder: Path, today: date | None = None) -> Path:
    """The built-in policy plus batch "now", every window open around `today`."""
    today = today or date.today()
    closes = today + timedelta(days=60)
    opens = today - timedelta(days=60)
    windows = "\n".join(f"{phase} = {{ opens = {opens}, closes = {closes} }}" for phase in (
        "docking", "application", "recommendation", "review", "signing", "publication"))
    text = builtin_policy_text().replace("[extensions]", (
        f'[[batches]]\nkey = "{OPEN_BATCH}"\nname = "open now"\n\n[batches.windows]\n'
        f"{windows}\n\n[extensions]"), 1)
    path = folder / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    """A running `accel666 serve` and the operators' tokens (name -> token)."""

    url: str
    db: str
    policy: Path
    process: subprocess.Popen[bytes] | None
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, who: str | None = None, **kw: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kw)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([ACCEL666, "--db", self.db, "--policy", str(self.policy), *args],
                              capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(db: str, folder: Path, *, workers: int = 1) -> Service:
    """Grant the operators of ROLES, start `accel666 serve` and wait until /healthz says ok."""
    policy = open_policy(folder)
    service = Service(url="", db=db, policy=policy, process=None, log=folder / "serve.log")
    # Granted in process (`accel666 operator add` is tested on its own): one process start
    # per operator would cost more than the rest of the set-up.
    with Engine(db, policy=policy) as engine:
        for name, role in ROLES.items():
            service.tokens[name] = engine.add_operator(name, role, by="test").token
    port = free_port()
    service.url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ACCEL666_LANG": "en"}
    with service.log.open("wb") as log:
        process = subprocess.Popen(
            [ACCEL666, "--db", db, "--policy", str(policy), "serve", "--port", str(port),
             "--workers", str(workers)], stdout=log, stderr=subprocess.STDOUT, env=env)
    service.process = process
    deadline = time.monotonic() + 60
    while True:  # the process's start-up, not the engine's time: polled until it answers
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {service.log.read_text()}")
        try:
            if httpx.get(service.url + "/healthz", timeout=2).status_code == 200:
                return service
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            service.stop()
            raise AssertionError(f"serve did not answer: {service.log.read_text()}")
        time.sleep(0.1)
