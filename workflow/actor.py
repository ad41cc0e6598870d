"""Who acts: a name, a role of the programme's policy and, for scoped roles, a scope."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """An operator or service acting in a role.

    `scope` is the region (code, Chinese name or pinyin key) for a `city` actor and the credit
    code for an `enterprise` actor; roles acting province-wide have none.
    """

    name: str
    role: str
    scope: str | None = None

    @classmethod
    def parse(cls, spec: str, name: str) -> Actor:
        """`ROLE[:SCOPE]` as typed on the command line, e.g. `city:suzhou` or `province`."""
        role, _, scope = spec.strip().partition(":")
        return cls(name=name, role=role.strip(), scope=scope.strip() or None)

    def __str__(self) -> str:
        return f"{self.name} ({self.role}{':' + self.scope if self.scope else ''})"
