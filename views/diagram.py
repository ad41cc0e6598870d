"""The state diagram the engine runs (accel666.lifecycle), labelled with who may fire each
transition under a policy."""

from __future__ import annotations

from accel666 import lifecycle
from accel666.policies import Policy
from accel666.views import labels

FORMATS = ("mermaid", "dot")


def roles(policy: Policy) -> lifecycle.Roles:
    """Who the policy's permission table lets fire `event` from `source`, in its order."""
    def allowed(event: str, source: str) -> tuple[str, ...]:
        grants = policy.permissions[event]
        return tuple(dict.fromkeys(g.role for g in grants
                                   if g.sources is None or source in g.sources))
    return allowed


def draw(policy: Policy, fmt: str = "mermaid") -> str:
    """The diagram as Mermaid (`stateDiagram-v2`) or Graphviz dot (`digraph`) text, the
    states named in the language in use (labels.use)."""
    draw_as = {"mermaid": lifecycle.mermaid, "dot": lifecycle.dot}[fmt]
    shown = labels.current()
    return draw_as(roles(policy), None if shown.lang == "en" else shown.state)
