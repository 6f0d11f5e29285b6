"""Dispatchers take mirrors rows in one order and skip those another holds, so
the piled-up dispatches after a Redis outage neither deadlock nor wait."""

import pytest
from sqlalchemy import text

from inkwell.platform.core.extensions import db
from inkwell.platform.core.publishing import mirrors


def test_a_dispatch_skips_a_row_another_holds(app, make_tenant) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks are PostgreSQL's; SQLite has one writer")
        for blog in (alice, bob):
            mirrors.request_publish(blog.id)
        db.session.commit()
        with db.engine.connect() as other:  # another dispatcher, mid-transaction on alice
            other.execute(
                text("SELECT 1 FROM mirrors WHERE tenant_id = :id FOR UPDATE"), {"id": alice.id}
            )
            # Waiting for alice's row would fail here rather than hang the test.
            db.session.execute(text("SET lock_timeout = '2s'"))
            assert mirrors.to_dispatch() == [bob.id]
            other.rollback()
        assert mirrors.to_dispatch() == [alice.id]  # free again: the next round sends it
