"""Editor pages: agreement, disagreement queue, adjudication, planning."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import role_required
from accounts.roles import Role


@role_required(Role.EDITOR)
def review(request: HttpRequest) -> HttpResponse:
    return render(request, "tagging/review.html", {})
