"""Helpers for the expert review's tests: a registry of experts and recommended projects.

Imported by the test modules of this directory; not a test module.
"""

from __future__ import annotations

from typing import Any

from accel666 import Actor, Engine
from tests.helpers import CODE_A, CODE_B, CODE_C, CODE_D

PROVINCE = Actor("prov", "province")
SUZHOU = Actor("sz", "city", "suzhou")
NANJING = Actor("nj", "city", "nanjing")
KEYS = ("wang", "li", "zhao", "qian", "sun", "zhou")
CODES = (CODE_A, CODE_B, CODE_C, CODE_D)


def expert(key: str) -> Actor:
    return Actor(f"x-{key}", "expert", key)


def registry(engine: Engine, **avoid: list[str]) -> None:
    """Experts wang, li, zhao, qian, sun and zhou; `avoid` gives one what it must avoid."""
    for key in KEYS:
        engine.add_expert(PROVINCE, key, name=f"专家{key}", unit="东南大学",
                          avoid=avoid.get(key, []))


def recommended(engine: Engine, code: str = CODE_A, region: str = "suzhou") -> int:
    """A project of `code` in `region`, recommended by its bureau."""
    bureau = Actor(f"c-{region}", "city", region)
    pid = engine.dock(bureau, title="云上工厂", enterprise="苏州某某科技", credit_code=code,
                      region=region, category="demo").id
    engine.apply(Actor("e", "enterprise", code), pid, paper_copies=2, document=b"%PDF app",
                 document_name="a.pdf")
    engine.recommend(bureau, pid, opinion="同意推荐")
    return pid


def scored(engine: Engine, pid: int, scores: dict[str, int]) -> Any:
    """Each expert of `scores` scores the project; the panel as the province sees it."""
    for key, value in scores.items():
        engine.score(expert(key), pid, score=value)
    return engine.panel(pid)
