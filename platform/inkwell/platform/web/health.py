"""Probes for load balancers and orchestrators."""

from flask import Blueprint

from inkwell.platform.core.database import readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[str, int]:
    """The process is up."""
    return "ok\n", 200


@bp.get("/readyz")
def readyz() -> tuple[str, int]:
    """The process can serve: its database answers, at the code's schema."""
    problem = readiness()
    return ("ok\n", 200) if problem is None else (f"{problem}\n", 503)
