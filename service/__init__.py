"""The HTTP service (`accel666.service`): the engine over HTTP for the bureaus, Tencent and the
province's dashboard, each caller an operator with a token (`accel666 operator add`).

`accel666 serve` runs it on uvicorn; any ASGI server can run `accel666.service:app`, which is
built on first use from the environment: ACCEL666_DB (a database URL or SQLite path, default
accel666.db) and ACCEL666_POLICY (a policy file to bind a new database to; optional).
Embedders build their own with `create_app(ServiceConfig(...))`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accel666.service.application import create_app as create_app
    from accel666.service.config import ServiceConfig as ServiceConfig

__all__ = ["ServiceConfig", "app", "create_app"]


def __getattr__(name: str) -> Any:
    """`app` (from the environment), `create_app` and `ServiceConfig`, loaded on first use."""
    if name == "create_app":
        from accel666.service.application import create_app

        return create_app
    if name == "ServiceConfig":
        from accel666.service.config import ServiceConfig

        return ServiceConfig
    if name == "app":
        from accel666.service.application import create_app
        from accel666.service.config import ServiceConfig

        built = create_app(ServiceConfig.from_environment())
        globals()["app"] = built
        return built
    raise AttributeError(f"module 'accel666.service' has no attribute {name!r}")
