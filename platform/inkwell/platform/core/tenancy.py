"""Keep every query and write inside the current tenant.

The current tenant lives in a ContextVar, set from the request host (site app,
`inkwell.tenants.hosts`) or from a checked membership (the dashboard's `blog_scope`),
never from form data, and reset when the request ends (`init_app`): a worker thread
serves many requests, and a tenant must never leak into the next. Two guards act on
every Flask-SQLAlchemy session:

- reads: ORM statements touching `TenantScoped` models get the criteria
  `tenant_id = current`. The whole statement is walked, so a tenant table that
  appears only in select_from(), a join or a subquery is scoped too. With no
  current tenant they raise `TenantScopeError` instead of returning everyone's rows;
- writes: a flush that adds, changes or deletes a `TenantScoped` row of another
  tenant, or one with no tenant, is refused.

So a row of another blog is simply not found: views answer 404, never 403, and
nothing tells that it exists. `across_tenants()` is the one escape hatch, for admin,
worker and CLI code. The criteria reach ORM statements only; on PostgreSQL,
row-level security (`row_security`) is the backstop under Core and textual SQL.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from flask import Flask, g
from flask_sqlalchemy.session import Session
from sqlalchemy import Table, event
from sqlalchemy.orm import ORMExecuteState, UOWTransaction, with_loader_criteria
from sqlalchemy.sql import visitors

from inkwell.platform.core.extensions import Base
from inkwell.platform.core.models import TenantScoped

_current_tenant_id: ContextVar[int | None] = ContextVar("inkwell_tenant_id", default=None)
_unscoped: ContextVar[bool] = ContextVar("inkwell_across_tenants", default=False)


class TenantScopeError(RuntimeError):
    """Tenant content was touched without, or outside, the current tenant."""


def current_tenant_id() -> int | None:
    return _current_tenant_id.get()


def is_across_tenants() -> bool:
    return _unscoped.get()


@contextmanager
def tenant_scope(tenant_id: int) -> Iterator[None]:
    """Run the block with `tenant_id` as the current tenant."""
    token = _current_tenant_id.set(tenant_id)
    try:
        yield
    finally:
        _current_tenant_id.reset(token)


@contextmanager
def across_tenants() -> Iterator[None]:
    """Escape hatch: the block sees and writes every tenant's rows."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


@cache
def _tenant_tables() -> frozenset[Table]:
    return frozenset(
        mapper.local_table
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, TenantScoped)
    )


def _touches_tenant_content(state: ORMExecuteState) -> bool:
    # Walk the whole statement: `all_mappers` misses entities that appear only in
    # select_from(), joins or subqueries, and those must be scoped too.
    tables = _tenant_tables()
    return any(element in tables for element in visitors.iterate(state.statement))


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if state.is_column_load or state.is_relationship_load or _unscoped.get():
        return
    if not _touches_tenant_content(state):
        return
    tenant_id = _current_tenant_id.get()
    if tenant_id is None:
        raise TenantScopeError("query on tenant content with no current tenant")
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    unscoped = _unscoped.get()
    tenant_id = _current_tenant_id.get()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            raise TenantScopeError(f"{type(obj).__name__} has no tenant_id")
        if not unscoped and obj.tenant_id != tenant_id:
            raise TenantScopeError(
                f"{type(obj).__name__} of tenant {obj.tenant_id} written in tenant {tenant_id}"
            )


def enter_for_request(tenant_id: int) -> None:
    """Make `tenant_id` current until the request ends (reset by `init_app`'s teardown)."""
    g.inkwell_tenant_token = _current_tenant_id.set(tenant_id)


def init_app(app: Flask) -> None:
    @app.teardown_request
    def _leave_tenant(_exc: BaseException | None) -> None:
        # Workers serve many requests on one thread: never let a tenant leak to the next.
        token = g.pop("inkwell_tenant_token", None)
        if token is not None:
            _current_tenant_id.reset(token)
