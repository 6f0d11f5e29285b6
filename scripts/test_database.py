"""Make the PostgreSQL role and database that the test suite runs as, if missing.

    python scripts/test_database.py ADMIN_URL TEST_URL

TEST_URL names a role and a database (`test*`); ADMIN_URL a role that may create
both (on this machine, `postgres` with trust auth). The role logs in but is no
superuser and cannot bypass row-level security, as the app should run in
production: the suite then proves every path works under the policies of
migration 0010, which a superuser would skip. It owns the database, so the suite
can drop and rebuild its schema.
"""

import sys

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import make_url


def provision(admin_url: str, test_url: str) -> None:
    url = make_url(test_url)
    role, database = url.username, url.database
    if not role or not database or not database.startswith("test"):
        raise SystemExit(f"{test_url}: name a role and a test* database")
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True  # CREATE DATABASE refuses to run in a transaction
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cursor.fetchone() is None:
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS").format(sql.Identifier(role))
            )
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if cursor.fetchone() is None:
            cursor.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(role)
                )
            )
    finally:
        connection.close()


if __name__ == "__main__":
    provision(*sys.argv[1:3])
