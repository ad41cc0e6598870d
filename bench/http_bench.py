"""Transitions per second through HTTP against the library's own rate, in one run.

Both sides take the same number of projects through all six events (dock, apply, recommend,
review, sign, publish) with 8 concurrent clients, on a fresh database of each kind:
- `library`: 8 threads calling one Engine in this process;
- `http`: 8 threads, each with its own keep-alive HTTP client, against `accel666 serve
  --workers W` (a real process), each call authenticated by an operator's token.
The policy adds a batch whose windows are open today, so both run on the wall clock. The ratio
`http/library` is what serving over HTTP costs per transition (parsing, authentication,
JSON, the network stack), the engine's own work being the same.

    python -m bench.http_bench -n 200 [--workers 2] [--no-pg]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from accel666 import Actor, Engine
from bench import databases, plan
from bench.report import Report

CLIENTS = 8
EVENTS = 6
ACCEL666 = str(Path(sys.executable).with_name("accel666"))
DOC = b"%PDF-1.4 bench"


def open_policy(folder: Path) -> Path:
    """The built-in programme plus batch "now", every window open from 60 days ago to 60 on;
    the province reviews alone (a panel of 0), as the lifecycle's path is what is measured."""
    today = date.today()
    opens, closes = today - timedelta(days=60), today + timedelta(days=60)
    windows = "\n".join(f"{phase} = {{ opens = {opens}, closes = {closes} }}" for phase in (
        "docking", "application", "recommendation", "review", "signing", "publication"))
    path = folder / "policy.toml"
    path.write_text(f'extends = "builtin"\n\n[[batches]]\nkey = "now"\nname = "now"\n\n'
                    f"[batches.windows]\n{windows}\n\n"
                    # The lifecycle's path alone: the notice and the panel are steps of their own.
                    '[notice]\ngates = ""\n\n[review]\npanel_size = 0\n', encoding="utf-8")
    return path


def in_parallel(codes: list[str], one: Callable[[str], None]) -> float:
    """Run `one(code)` for every code on CLIENTS threads; the wall time."""
    parts = [codes[i::CLIENTS] for i in range(CLIENTS)]
    errors: list[BaseException] = []

    def work(part: list[str]) -> None:
        try:
            for code in part:
                one(code)
        except BaseException as exc:  # reported after the join, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(p,)) for p in parts]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - began


def library_side(url: str, policy: Path, codes: list[str]) -> float:
    city, province, tencent = (Actor("b", "city", "suzhou"), Actor("b", "province"),
                               Actor("b", "tencent"))
    with Engine(url, policy=policy) as engine:
        def one(code: str) -> None:
            p = engine.dock(city, title=plan.title(code), enterprise=plan.enterprise(code),
                            credit_code=code, region="suzhou", category="demo")
            engine.apply(city, p.id, paper_copies=2, document=DOC, document_name="a.pdf")
            engine.recommend(city, p.id, opinion="同意")
            engine.review(province, p.id, score=90, verdict="pass")
            engine.sign(tencent, p.id)
            engine.publish(province, p.id)
        return in_parallel(codes, one)


def http_side(url: str, policy: Path, codes: list[str], workers: int, folder: Path) -> float:
    with Engine(url, policy=policy) as engine:
        tokens = {role: engine.add_operator(f"bench-{role.split(':')[0]}", role, by="bench").token
                  for role in ("city:suzhou", "province", "tencent")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen([ACCEL666, "--db", url, "--policy", str(policy), "--log-level",
                               "error", "serve", "--port", str(port), "--workers",
                               str(workers)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(base, server)
        local = threading.local()

        def clients() -> dict[str, httpx.Client]:
            if not hasattr(local, "clients"):
                local.clients = {role: httpx.Client(base_url=base, timeout=60, headers={
                    "Authorization": f"Bearer {token}"}) for role, token in tokens.items()}
            found: dict[str, httpx.Client] = local.clients
            return found

        def one(code: str) -> None:
            c = clients()
            city, province, tencent = c["city:suzhou"], c["province"], c["tencent"]
            p = city.post("/projects", json={"title": plan.title(code),
                                             "enterprise": plan.enterprise(code),
                                             "credit_code": code, "region": "suzhou",
                                             "category": "demo"})
            p.raise_for_status()
            pid = p.json()["id"]
            steps: list[tuple[httpx.Client, str, dict[str, Any]]] = [
                (city, "apply", {"data": {"paper_copies": "2"},
                                 "files": {"document": ("a.pdf", DOC)}}),
                (city, "recommend", {"json": {"opinion": "同意"}}),
                (province, "review", {"json": {"score": 90, "verdict": "pass"}}),
                (tencent, "sign", {}), (province, "publish", {})]
            for client, event, given in steps:
                client.post(f"/projects/{pid}/{event}", **given).raise_for_status()
        return in_parallel(codes, one)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(base: str, server: subprocess.Popen[bytes]) -> None:
    """Poll `base`/healthz until it answers 200 (the process's start-up, at most 60 s);
    RuntimeError if the process exits or never answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("accel666 serve exited at start")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("accel666 serve did not answer within 60 s")


def run(report: Report, projects: int, workers: int, pg_url: str | None) -> None:
    """Both sides on SQLite (and PostgreSQL when `pg_url` is given); figures and ratios."""
    report.note(f"http: {projects} projects x {EVENTS} events, {CLIENTS} clients; serve with "
                f"{workers} worker(s)")
    with tempfile.TemporaryDirectory(prefix="accel666_http_") as tmp:
        folder = Path(tmp)
        policy = open_policy(folder)
        kinds: list[tuple[str, Callable[[str], str]]] = [
            ("sqlite", lambda side: databases.sqlite_url(folder / f"{side}.db"))]
        for kind, url_for in kinds:
            _measure(report, kind, url_for("library"), url_for("http"), policy, projects,
                     workers, folder)
        if pg_url is not None:
            with databases.pg_database(pg_url) as lib, databases.pg_database(pg_url) as web:
                _measure(report, "pg", lib, web, policy, projects, workers, folder)


def _measure(report: Report, kind: str, library_url: str, http_url: str, policy: Path,
             projects: int, workers: int, folder: Path) -> None:
    codes = plan.credit_codes(7_000_000, projects)
    lib = library_side(library_url, policy, codes)
    web = http_side(http_url, policy, codes, workers, folder)
    report.figure(f"http.{kind}.library", projects * EVENTS / lib, "transitions/s")
    report.figure(f"http.{kind}.http", projects * EVENTS / web, "transitions/s")
    report.ratio(f"http.{kind}.library_over_http", f"http.{kind}.library", f"http.{kind}.http")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--projects", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pg", default=databases.DEFAULT_PG, metavar="URL")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args(argv)
    report = Report()
    pg = None if args.no_pg or databases.pg_unreachable(args.pg) else args.pg
    run(report, args.projects, args.workers, pg)
    report.print_ratios()
    return 0


if __name__ == "__main__":
    sys.exit(main())
