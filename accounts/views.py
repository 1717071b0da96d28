"""Sign-in, sign-out, and the role-based landing redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .roles import home_url_name


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page of their main role."""
    return redirect(home_url_name(request.user))


@login_required
def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_role.html", status=403)
