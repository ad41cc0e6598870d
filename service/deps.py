"""What every route needs, as FastAPI dependencies: the engine and the calling operator."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from accel666 import Actor, Engine
from accel666.service.auth import OPERATOR, Gate
from accel666.workflow.operators import Operator


def engine(request: Request) -> Engine:
    """The service's one Engine."""
    found: Engine = request.app.state.engine
    return found


def gate(request: Request) -> Gate:
    """The service's authenticator."""
    found: Gate = request.app.state.gate
    return found


def actor(request: Request, checker: Annotated[Gate, Depends(gate)]) -> Actor:
    """The calling operator as the actor it is: its name, role and scope (from its token, as
    the Authenticate middleware found it before the body was read)."""
    found: Operator | None = request.scope.get(OPERATOR)
    return (found if found is not None else checker.operator(request)).actor()


EngineDep = Annotated[Engine, Depends(engine)]
ActorDep = Annotated[Actor, Depends(actor)]
