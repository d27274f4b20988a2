"""Alembic's migrations of the PostgreSQL store's schema (`postgres.migrate` runs them)."""
