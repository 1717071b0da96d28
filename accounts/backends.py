"""Django's model backend, loading a session's user together with their roles.

``django.contrib.auth`` loads the logged-in user on every request with ``get_user``; the role
checks that follow (every page and endpoint checks one) would run a second query for the
groups. Same rules as ``ModelBackend``: inactive users are refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from .user_rows import read_user_with_roles, user_with_roles_sql


class RoleAwareModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = read_user_with_roles(
            user_with_roles_sql(f"{User._meta.db_table} u", "u.id = %s"), [pk]
        )
        return user if user is not None and self.user_can_authenticate(user) else None
