"""The FastAPI stack: SQLAlchemy 2 + Alembic, pydantic-settings, PyJWT + argon2, slowapi, pytest + httpx."""
