"""Operator pages: rebuild queue and list freshness (htmx polls the ``status`` partial)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from recommendations.selectors import pipeline_status


@role_required(Role.OPERATOR, Role.EDITOR)
def status(request: HttpRequest) -> HttpResponse:
    context = {"status": pipeline_status()}
    template = "recommendations/status.html"
    if getattr(request, "htmx", False):
        template += "#status"
    return render(request, template, context)


@require_POST
@role_required(Role.OPERATOR)
def rebuild_all(request: HttpRequest) -> HttpResponse:
    from recommendations.services.rebuild import rebuild_all_enqueue

    run = rebuild_all_enqueue()
    messages.success(request, _("Full rebuild of %(n)s lists queued.") % {"n": run.total})
    return redirect("recommendations:status")
