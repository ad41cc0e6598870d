"""A real `accel666 serve` process on a test database, and what the tests need to drive it.

The service runs on the wall clock (a real process), so it runs under the process tests' open
policy: batch `proc-open`, every window open from 2020 to 2099, so that the lifecycle can be
walked through from start to end on any day the suite runs.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from accel666 import Engine
from bench.http_bench import free_port, wait_until_serving
from tests.processes.proc_support import open_policy

ACCEL666 = str(Path(sys.executable).with_name("accel666"))
OPEN_BATCH = "proc-open"  # the batch proc_support.open_policy adds
ROLES = {"province": "province", "tencent": "tencent", "suzhou": "city:suzhou",
         "kunshan": "city:kunshan"}


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


def start(db: str, folder: Path, *, workers: int = 1, args: tuple[str, ...] = (),
          open_files: int | None = None, panels: bool = False) -> Service:
    """Grant the operators of ROLES, start `accel666 serve` (with `args`; at most `open_files`
    open files when given; with expert panels when `panels`) and wait until /healthz says
    ok."""
    policy = open_policy(folder, panels=panels)
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
             "--workers", str(workers), *args], stdout=log, stderr=subprocess.STDOUT, env=env,
            preexec_fn=None if open_files is None else lambda: _limit_open_files(open_files))
    service.process = process
    try:
        wait_until_serving(service.url, process)
    except RuntimeError as exc:
        service.stop()
        raise AssertionError(f"{exc}: {service.log.read_text()}") from None
    return service


def _limit_open_files(most: int) -> None:
    """In the child, before it runs: at most `most` open files."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (most, most))


def memory(pid: int) -> dict[str, int]:
    """The process's resident memory now (VmRSS) and at its peak (VmHWM), in bytes."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024
    return found
