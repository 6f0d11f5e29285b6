"""Core services shared by every app and worker. Imports nothing else from inkwell.

The foundation is flat modules: `settings` and `config` (every key, loaded in layers),
`extensions`, `models` (the schema and its rules), `database`, `tenancy` and
`row_security` (isolation), `types`, `validation`, `hosts`, `caching`, `outbox`, `mail`,
`audit`; `bodies` (the request class: bodies within limits or refused whole),
`numbers` (numbers from paths and query strings, bounded) and `error_pages` (error
handlers that cannot fail). They import no feature; only `app` (the base factory
both apps are built from) and `migration_env` assemble features.

The features are packages on the foundation, each importing only those to its right
(import-linter checks it), so what bloggers write never depends on administration:

    administration > publishing | portability | accounts > content > limits > storage

Tenant isolation comes in layers, each described where it lives: the current blog is
a ContextVar that every ORM statement and every flush is held to (`tenancy`), and on
PostgreSQL row-level security binds Core and textual SQL as well (`row_security`).
Another blog's row is simply not found, so cross-tenant access answers 404.
"""
