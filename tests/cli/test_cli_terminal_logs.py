"""On a terminal a person reads the command's own lines: the library's events those lines say
already (a refusal, a transition) are not logged there too, in English, before them. Written
to a file or a pipe, or with --log-json, every event stays, as JSON, for machines."""

from __future__ import annotations

import io
import json

import pytest

from accel666.cli import logs
from accel666.workflow.logs import get_logger
from tests.helpers import reset_logging


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def clean_logging():
    yield
    reset_logging()


def emit() -> None:
    log = get_logger("accel666.test")
    log.warning("refused", guard="window", project=1)
    log.info("transition", trigger="apply", project=1)
    log.warning("delivery_failed", escalation=3)


def test_a_terminal_is_not_told_twice_what_the_command_says():
    screen = Terminal()
    logs.configure("info", None, screen)
    emit()
    said = screen.getvalue()
    assert "refused" not in said and "transition" not in said
    assert "delivery_failed" in said  # what no command line says stays


@pytest.mark.parametrize("terminal", [True, False])
def test_json_lines_keep_every_event(terminal):
    out = Terminal() if terminal else io.StringIO()
    logs.configure("info", True if terminal else None, out)
    emit()
    events = [json.loads(line)["event"] for line in out.getvalue().splitlines()]
    assert events == ["refused", "transition", "delivery_failed"]
