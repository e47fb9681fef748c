"""Alembic environment: runs migrations on the engine the application hands over.

The engine comes from ``config.attributes["engine"]`` (see ``assistant.db.upgrade``), so there is
no second place where database URLs are configured.
"""

from alembic import context

from assistant.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
