"""A stored row's primary key, typed as the ``int`` it is.

SQLModel declares ``id: int | None`` because a new row has no id until its INSERT. Every row the
services pass around was read from the database or flushed, so its id is set: ``saved_id`` says
so in one place (and fails loudly, rather than writing a NULL foreign key, if it ever is not).
"""

from __future__ import annotations

from typing import Protocol


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Row) -> int:
    """``row.id``, which a row read from the database or flushed always has."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it before using its id")
    return row.id
