"""Subscriber pages: suggestions, title pages, history, profile."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import role_required
from accounts.roles import Role


@role_required(Role.SUBSCRIBER)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "recommendations/home.html", {})
