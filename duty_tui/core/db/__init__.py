"""Database layer: SQLModel tables, the engine factory and Alembic migrations. No business rules."""
