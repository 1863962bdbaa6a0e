"""Pure planning engines: plain data in, plain data out.

Nothing under this package imports Flask or SQLAlchemy, so every engine can be
benchmarked and tested on public instances alone. OR-Tools is imported only here.
"""
