"""Probes for load balancers and orchestrators."""

from flask import Blueprint

from inkwell.platform.core.database import is_ready

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[str, int]:
    """The process is up."""
    return "ok\n", 200


@bp.get("/readyz")
def readyz() -> tuple[str, int]:
    """The process can serve: its database answers."""
    return ("ok\n", 200) if is_ready() else ("database unavailable\n", 503)
