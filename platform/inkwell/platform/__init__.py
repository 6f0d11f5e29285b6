"""Inkwell's platform: core services (inkwell.platform.core), the platform app
(inkwell.platform.web) and the WSGI entry (inkwell.platform.wsgi)."""
