"""Readers of other platforms' exports, each a `foreign.ForeignReader`.

`wordpress` reads a WordPress export (WXR). Each reader streams its file, so an
export of any size is read in bounded memory, and refuses a file it cannot read
whole with `foreign.ForeignFormatError` before the writer stores anything.
"""
