"""`make bench`: measures Inkwell against nginx on real PostgreSQL and Redis (see run.py)."""
