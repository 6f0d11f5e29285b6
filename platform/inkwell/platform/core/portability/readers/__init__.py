"""Readers of other platforms' exports, each a `foreign.ForeignReader`: what the
file holds as `ForeignPost`s and `Skipped` notes, read as a stream where the
format allows. `times` and `csv_text` are what they share."""
