"""``prepared_cursor()``: a cursor for the hot statements every request runs.

On PostgreSQL (``config.postgresql``) their statements are prepared once per connection; on
other backends this is ``connection.cursor()``. Use it for fixed SQL text run many times with
plain parameters (the placeholders are bound by the server: each must have a type PostgreSQL
can infer, e.g. ``CAST(%s AS integer)`` where it cannot)."""

from __future__ import annotations

from django.db import connection
from django.db.backends.utils import CursorWrapper


def prepared_cursor() -> CursorWrapper:
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()
