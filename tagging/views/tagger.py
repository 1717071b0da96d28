"""Tagger pages: the queue and the tag page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import role_required
from accounts.roles import Role

from ..models import Assignment


@role_required(Role.TAGGER)
def queue(request: HttpRequest) -> HttpResponse:
    assignments = Assignment.objects.filter(tagger=request.user).select_related("title")
    return render(request, "tagging/queue.html", {"assignments": assignments})
