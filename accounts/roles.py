"""The four roles of Tagline and the one place that answers "what may this user do".

Roles are Django groups (``tagger``, ``editor``, ``subscriber``, ``operator``). Staff users
count as operators; superusers hold every role.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Role(StrEnum):
    TAGGER = "tagger"
    EDITOR = "editor"
    SUBSCRIBER = "subscriber"
    OPERATOR = "operator"


ROLE_CHOICES = [(role.value, role.value.capitalize()) for role in Role]


def roles_of(user: Any) -> frozenset[Role]:
    """The roles of ``user`` (cached on the instance for the request's lifetime)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_tagline_roles", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roles = frozenset(Role)
    else:
        roles = roles_from_groups(user, set(user.groups.values_list("name", flat=True)))
    user._tagline_roles = roles
    return roles


def roles_from_groups(user: Any, group_names: set[str]) -> frozenset[Role]:
    """The roles given by the names of ``user``'s groups, staff and superuser flags."""
    if user.is_superuser:
        return frozenset(Role)
    roles = frozenset(role for role in Role if role.value in group_names)
    return roles | {Role.OPERATOR} if user.is_staff else roles


def has_role(user: Any, *roles: Role) -> bool:
    """True when ``user`` holds at least one of ``roles``."""
    return bool(roles_of(user) & set(roles))


def home_url_name(user: Any) -> str:
    """The landing page of a user's main role: editors review, taggers tag, subscribers watch."""
    roles = roles_of(user)
    for role, url_name in (
        (Role.EDITOR, "tagging:review"),
        (Role.TAGGER, "tagging:queue"),
        (Role.OPERATOR, "recommendations:status"),
        (Role.SUBSCRIBER, "recommendations:home"),
    ):
        if role in roles:
            return url_name
    return "accounts:no-role"
