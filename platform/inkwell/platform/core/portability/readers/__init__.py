"""Readers of other platforms' exports, each a `foreign.ForeignReader`: what the
file holds as `ForeignPost`s and `Skipped` notes. Each streams its file where the
format allows (wordpress: WXR; ghost; substack; bear), so an export of any size is
read in bounded memory, and refuses a file it cannot read whole with
`foreign.ForeignFormatError` before the writer stores anything. `export_files`,
`csv_text` and `times` are what they share."""
