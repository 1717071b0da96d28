"""Role checks for pages (a decorator) and the API (DRF permission classes)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .roles import Role, has_role


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Page decorator: anonymous users go to the login page, users without the role get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def signed_in_user(request: HttpRequest | Request) -> User:
    """The user of a role-protected page or endpoint, typed as ``User``.

    ``role_required`` and the ``Is<Role>`` permissions have already turned anonymous users
    away, so reaching here without a ``User`` is a programming error (a view left unprotected).
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class _HasRole(BasePermission):
    roles: tuple[Role, ...] = ()

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(
            request.user and request.user.is_authenticated and has_role(request.user, *self.roles)
        )


class IsTagger(_HasRole):
    roles = (Role.TAGGER,)


class IsEditor(_HasRole):
    roles = (Role.EDITOR,)


class IsSubscriber(_HasRole):
    roles = (Role.SUBSCRIBER,)


class IsOperator(_HasRole):
    roles = (Role.OPERATOR,)


class IsEditorOrOperator(_HasRole):
    roles = (Role.EDITOR, Role.OPERATOR)


class IsTaggerOrEditor(_HasRole):
    roles = (Role.TAGGER, Role.EDITOR)
