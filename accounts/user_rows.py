"""A user and their roles read in one SQL statement.

Every authenticated request needs the user and, at its first role check, the user's groups:
two queries through the ORM. Session and token authentication both read them here instead, the
user's columns beside one flag per role, and leave the roles on the instance where
``accounts.roles.roles_of`` finds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.contrib.auth.models import Group, User

from config.db import prepared_cursor

from .db_rows import RowReader
from .roles import Role, roles_from_groups

USER = RowReader(User, "u")
_ROLES = tuple(Role)
_ROLE_NAMES = tuple(role.value for role in _ROLES)


@cache
def user_with_roles_sql(source: str, where: str) -> str:
    """``SELECT <user columns>, <one flag per Role> FROM <source> WHERE <where>``; ``source``
    must name the user table ``u``. Parameters: the role names, then ``where``'s own."""
    member, group = User.groups.through._meta.db_table, Group._meta.db_table
    flag = (
        f"EXISTS (SELECT 1 FROM {member} m JOIN {group} g ON g.id = m.group_id "  # noqa: S608
        "WHERE m.user_id = u.id AND g.name = %s)"
    )
    flags = ", ".join(flag for _role in _ROLES)
    return f"SELECT {USER.columns()}, {flags} FROM {source} WHERE {where}"  # noqa: S608


def read_user_with_roles(sql: str, params: Sequence[Any]) -> User | None:
    """Runs ``sql`` (from ``user_with_roles_sql``) and returns the user with its roles cached,
    or None when no row matched."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, [*_ROLE_NAMES, *params])
        row: Any = cursor.fetchone()
    if row is None:
        return None
    user = USER.read(row)
    groups = {name for name, flag in zip(_ROLE_NAMES, row[USER.width :], strict=True) if flag}
    user._tagline_roles = roles_from_groups(user, groups)  # type: ignore[attr-defined]
    return user
