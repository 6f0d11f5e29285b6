"""Core services shared by every app and worker: config, extensions, models,
tenancy, validation, rendering. Imports nothing else from inkwell."""
