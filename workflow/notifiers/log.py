"""The log notifier: an escalation as a warning event of the library's log
(`accel666.escalation`), which the host's logging configuration sends on."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from accel666.errors import InvalidInput
from accel666.workflow import logs

log = logs.get_logger("accel666.escalation")

LEASE = timedelta(seconds=60)


@dataclass(frozen=True, kw_only=True)
class LogNotifier:
    """Logs each escalation; takes no target and never fails."""

    name: str = "log"
    claim_size: int = 2000

    def lease(self, timeout: float) -> timedelta:
        """A minute: logging a claim's deliveries takes far less."""
        return LEASE

    def check(self, target: str) -> str:
        """Always InvalidInput: the log is the only place its deliveries go."""
        raise InvalidInput(self.name, "the log notifier takes no target", target)

    def deliver(self, payload: Mapping[str, Any], target: str | None, key: str,
                timeout: float, cancel: threading.Event | None) -> str | None:
        """Log the escalation as a warning event `escalation` with its fields; never fails."""
        # A log record has a level of its own: the escalation's goes by another name.
        fields = {("escalation_level" if k == "level" else k): v for k, v in payload.items()}
        log.warning("escalation", **fields)
        return None
