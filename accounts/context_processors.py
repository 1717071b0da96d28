from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import Role, roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """Expose ``user_roles`` (a set of role names) to templates for navigation."""
    return {"user_roles": {role.value for role in roles_of(request.user)}, "Role": Role}
