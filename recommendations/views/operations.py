"""Operator pages: rebuild queue and list freshness."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import role_required
from accounts.roles import Role


@role_required(Role.OPERATOR, Role.EDITOR)
def status(request: HttpRequest) -> HttpResponse:
    return render(request, "recommendations/status.html", {})
