"""Stanchion: a backend engineer's toolkit (scaffold, db, load, decide, skill).

The root import stays light: it must not pull in SQLAlchemy, Jinja2, Pydantic or the load engine,
so that `stanchion --help` answers quickly. Each tool imports what it needs inside its own package.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
