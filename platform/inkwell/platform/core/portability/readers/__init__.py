"""Readers of other platforms' exports, each a `foreign.ForeignReader`: what the
file holds as `ForeignPost`s and `Skipped` notes, read as a stream where the
format allows. `export_files`, `csv_text` and `times` are what they share."""
