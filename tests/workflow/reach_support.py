"""A record for the tests of who may read what: four projects of three enterprises in three
regions (Kunshan a bureau of its own beside Suzhou), every one overdue and escalated, and each
reader with the projects the built-in [reads] lets it read. Not a test module."""

from __future__ import annotations

from dataclasses import dataclass

from accel666 import Actor, Engine
from tests.helpers import CODE_A, CODE_B, CODE_C, FakeClock, cst

EARLY = cst(2020, 7, 1, 12, 0, 0)  # docking and application open
CLOSE = cst(2020, 8, 31, 0, 0, 1)  # application and recommendation closed a second ago
DOC = b"%PDF-1.4 application of "

# Each project: (its key, region, credit code, category, applied?).
PROJECTS = (
    ("p1", "suzhou", CODE_A, "demo", True),
    ("p2", "kunshan", CODE_B, "demo", True),
    ("p3", "nanjing", CODE_A, "backbone", False),  # enterprise A's second, in another region
    ("p4", "suzhou", CODE_C, "demo", False),
)
EVERY = frozenset(key for key, *_ in PROJECTS)

# Each reader: (ROLE[:SCOPE] as --as takes it, the projects it reads).
READERS = {
    "enterprise-a": (f"enterprise:{CODE_A}", frozenset({"p1", "p3"})),
    "enterprise-b": (f"enterprise:{CODE_B}", frozenset({"p2"})),
    "suzhou": ("city:suzhou", frozenset({"p1", "p4"})),  # not Kunshan's: a bureau of its own
    "kunshan": ("city:kunshan", frozenset({"p2"})),
    "nanjing": ("city:nanjing", frozenset({"p3"})),
    "wuxi": ("city:wuxi", frozenset()),
    "tencent": ("tencent", EVERY),
    "province": ("province", EVERY),
}


def reader(name: str) -> Actor:
    """The reader `name` of READERS as an actor."""
    return Actor.parse(READERS[name][0], name)


@dataclass(frozen=True)
class Record:
    """The projects' ids by key, and each escalation's project key, by escalation id."""

    ids: dict[str, int]
    escalations: dict[int, str]

    def keys(self, project_ids: object) -> set[str]:
        """The keys of the projects with these ids."""
        by_id = {v: k for k, v in self.ids.items()}
        return {by_id[pid] for pid in project_ids}  # type: ignore[attr-defined]


def populate(engine: Engine, clock: FakeClock) -> Record:
    """Dock (and file) the PROJECTS early, then sweep just after the windows closed; the clock
    is left at CLOSE."""
    clock.set(EARLY)
    ids: dict[str, int] = {}
    for key, region, code, category, applied in PROJECTS:
        bureau = Actor(f"city-{region}", "city", region)
        pid = engine.dock(bureau, title=f"{key} 云上工厂", enterprise=f"{key} 企业",
                          credit_code=code, region=region, category=category,
                          batch="2020-1").id
        if applied:
            engine.apply(Actor("ent", "enterprise", code), pid, paper_copies=2,
                         document=DOC + key.encode(), document_name=f"{key}.pdf")
        ids[key] = pid
    clock.set(CLOSE)
    engine.sweep()
    by_id = {v: k for k, v in ids.items()}
    return Record(ids, {e.id: by_id[e.project_id] for e in engine.escalations()})
