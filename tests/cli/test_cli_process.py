"""The command as a shell runs it, in a real process: a reader that stops early (`accel666 … |
head`) ends it quietly with 0, and Ctrl-C with 130, neither with a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from accel666 import Actor, Engine
from tests.credit_reference import reference_check, reference_org_check
from tests.helpers import FakeClock, cst

# The console script's entry point, run by this interpreter.
ACCEL666 = [sys.executable, "-c", "import sys; from accel666.cli.main import main; "
            "sys.argv[0] = 'accel666'; main()"]
PIPE_BUFFER = 65_536  # Linux's default: a writer blocks past it until the reader reads


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with 600 projects with long titles: far more output than a pipe holds."""
    path = tmp_path_factory.mktemp("crowded") / "crowded.db"
    with Engine(str(path), clock=FakeClock(cst(2020, 7, 1, 10))) as engine:
        city = Actor.parse("city:suzhou", "tester")
        for i in range(600):
            org = f"{i:08d}"
            first17 = "91320500" + org + reference_org_check(org)
            engine.dock(city, title=f"工业互联网平台云上工厂示范项目 {i} " + "智能制造" * 20,
                        enterprise=f"苏州某某科技有限公司 {i}",
                        credit_code=first17 + reference_check(first17),
                        region="suzhou", category="demo")
    return str(path)


def run_into_a_pipe(*args: str, lines: int) -> tuple[bytes, int, bytes]:
    """Run accel666 with stdout into a pipe, read `lines` lines and close the pipe, as
    `| head -1` does (`lines=0`: as `| true` does). Returns what was read, the exit code and
    stderr."""
    proc = subprocess.Popen([*ACCEL666, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    assert proc.stdout is not None and proc.stderr is not None
    read = b"".join(proc.stdout.readline() for _ in range(lines))
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    return read, proc.wait(timeout=120), err


def test_list_json_into_head_ends_quietly(crowded: str) -> None:
    everything = subprocess.run([*ACCEL666, "--db", crowded, "list", "--json"],
                                capture_output=True, check=True).stdout
    assert len(everything) > 4 * PIPE_BUFFER  # enough that the pipe breaks under the writer
    read, code, err = run_into_a_pipe("--db", crowded, "list", "--json", lines=1)
    assert (read, code, err) == (b"[\n", 0, b"")


@pytest.mark.parametrize("args", [("list",), ("list", "--json"), ("history", "1"),
                                  ("batches",), ("show", "1"), ("policy", "show"), ("--help",)])
def test_a_reader_that_reads_nothing_ends_the_command_quietly(crowded: str,
                                                               args: tuple[str, ...]) -> None:
    """`accel666 list | true`: the pipe is closed before the first byte is written."""
    _read, code, err = run_into_a_pipe("--db", crowded, *args, lines=0)
    assert (code, err) == (0, b"")


def test_the_demo_into_head_ends_quietly(tmp_path: Path) -> None:
    """`accel666 demo | head -3`: the demo prints as it goes, so it writes after head left."""
    read, code, err = run_into_a_pipe("--db", str(tmp_path / "demo.db"), "demo", "--projects",
                                      "16", lines=3)
    assert read.startswith(b"accel666 demo: batch 2020-1")
    assert (code, err) == (0, b"")


# As a terminal starts a command: SIGINT neither ignored nor blocked. A child inherits both
# from the process that starts it, and a test worker need not have SIGINT as a shell has it.
AS_FROM_A_TERMINAL = [sys.executable, "-c", "import signal, sys; "
                      "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); "
                      "signal.signal(signal.SIGINT, signal.default_int_handler); "
                      "from accel666.cli.main import main; sys.argv[0] = 'accel666'; main()"]


def test_ctrl_c_ends_the_command_with_130_and_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.Popen([*AS_FROM_A_TERMINAL, "--db", str(tmp_path / "demo.db"), "demo",
                             "--projects", "1000"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith(b"accel666 demo: batch 2020-1")
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (130, b"")
