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
    if shown.lang == "en":
        return draw_as(roles(policy))
    return draw_as(roles(policy), shown.state, word)


def word(key: str) -> str:
    """An event, a verdict or a role of the diagram, by its short name in the language in
    use."""
    shown = labels.current()
    event, _, verdict = key.partition(" (")
    if verdict:  # an edge a verdict chooses: `review (pass)`
        return shown.text(labels.N_("{event} ({verdict})")).format(
            event=word(event), verdict=word(verdict.rstrip(")")))
    if key == ", ":
        return shown.text(labels.N_(", "))
    if key in labels.OUTCOME_NAMES:
        return shown.outcome(key)
    if key in labels.ROLE_NAMES:
        return shown.text(labels.ROLE_NAMES[key])
    return shown.text(labels.SHORT_EVENT_NAMES.get(key, key))
