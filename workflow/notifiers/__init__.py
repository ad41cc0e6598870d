"""The notifiers that deliver escalations to the world outside the database: the log and the
webhook, each a `Notifier` of the deadlines part.

An embedder may give an Engine its own: `Engine(..., notifiers=[LogNotifier(),
WebhookNotifier(), Mine()])`, where `Mine` does what `Notifier` says.
"""

from accel666.workflow.deadlines.notifying import Notifier, Notifiers
from accel666.workflow.notifiers.log import LogNotifier
from accel666.workflow.notifiers.webhook import WebhookNotifier


def default() -> Notifiers:
    """The log, then the webhook."""
    return Notifiers([LogNotifier(), WebhookNotifier()])


__all__ = ["LogNotifier", "Notifier", "Notifiers", "WebhookNotifier", "default"]
