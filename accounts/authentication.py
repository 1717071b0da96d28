"""API authentication: the session (for the site's own pages and htmx), then the API token.

``SessionCookieAuthentication`` is DRF's session authentication, answering "no session" at once
when the request carries no session cookie — the case of every token client, for whom DRF's
class loaded an empty session and built an anonymous user on each request.

``TokenWithRolesAuthentication`` reads the token, the user and the user's roles in one query.

DRF's ``TokenAuthentication`` fetches the token and its user through the ORM, and the first
role check then runs a second query for the user's groups; on the taggers' hot endpoints those
two were a fifth of a request's time. This class reads the token, the user and one flag per
role in a single SQL statement. Same contract as DRF's class: ``Authorization: Token <key>``,
401 "Invalid token." for an unknown key, "User inactive or deleted." for an inactive user, and
``request.auth`` is the ``Token``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from .user_rows import read_user_with_roles, user_with_roles_sql


class SessionCookieAuthentication(SessionAuthentication):
    def authenticate(self, request: Request) -> tuple[User, None] | None:
        if settings.SESSION_COOKIE_NAME not in request._request.COOKIES:
            return None  # no session, so no session user: what DRF would find, without loading
        return super().authenticate(request)  # type: ignore[no-any-return]


class TokenWithRolesAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        sql = user_with_roles_sql(
            f"{Token._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id",
            "t.key = %s",
        )
        user = read_user_with_roles(sql, [key])
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # The token row itself is not needed: request.auth is its key and user.
        return user, Token(key=key, user=user)
