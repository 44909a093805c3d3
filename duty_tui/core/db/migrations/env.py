"""Alembic environment: the engine is handed in by duty_tui.core.db.migrate."""

from alembic import context
from sqlmodel import SQLModel

from duty_tui.core.db.models import import_all_models

import_all_models()  # every area's tables, so autogenerate sees them all

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
