"""Alembic environment: the URL comes from payapp's settings, the schema from payapp.models."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import payapp.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from payapp.db import normalize_url
from payapp.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

settings = get_settings()
if settings.db_url.startswith("sqlite"):
    settings.ensure_data_dir()
config.set_main_option("sqlalchemy.url", normalize_url(settings.db_url).replace("%", "%%"))
target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Indexes a dialect cannot build (``info["dialects"]``, e.g. pg_trgm) are not expected there."""
    dialects = getattr(obj, "info", {}).get("dialects") if type_ == "index" and not reflected else None
    return not dialects or context.get_context().dialect.name in dialects


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
