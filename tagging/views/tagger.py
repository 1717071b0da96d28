"""Tagger pages: the queue, "next title", and the tag page (autosave, submit, history).

Blind double-coding holds here as in the API: every page fetches through ``tagging.selectors``
with the signed-in user, shows only that user's own tagging, and never loads canonical tags or
other taggers' answers.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import role_required, signed_in_user
from accounts.roles import Role
from catalog.models import Dimension
from config.api_errors import Conflict
from config.htmx import HtmxHttpRequest

from ..models import Assignment, Tagging
from ..selectors import queue_counts, queue_list, tag_page_assignment, tagging_history
from ..services.assignments import assignment_next
from ..services.taggings import tagging_create, tagging_save_draft, tagging_submit
from ..tagform import form_fields, form_int, form_json, form_values


@role_required(Role.TAGGER)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    assignments = queue_list(tagger=user)
    return render(
        request,
        "tagging/queue.html",
        {"assignments": assignments, "counts": queue_counts(tagger=user)},
    )


@role_required(Role.TAGGER)
@require_POST
def next_title(request: HttpRequest) -> HttpResponse:
    assignment = assignment_next(tagger=signed_in_user(request))
    if assignment is None:
        messages.info(
            request, _("No titles are waiting: your queue is done and the pool is empty.")
        )
        return redirect("tagging:queue")
    return redirect("tagging:tag", title_id=assignment.title_id)


def _history(tagging: Tagging | None) -> list[Any]:
    """Saved versions, newest first, each with the dimensions it changed."""
    if tagging is None:
        return []
    revisions = list(tagging_history(tagging=tagging)[:50])
    if not revisions:
        return []
    for newer, older in zip(revisions, [*revisions[1:], None], strict=True):
        before = older.values if older else {}
        newer.changed = sorted(
            k for k in set(before) | set(newer.values) if before.get(k) != newer.values.get(k)
        )
        if older and older.notes != newer.notes:
            newer.changed.append("notes")
    return revisions


def _dict_or_empty(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _kinds() -> dict[str, str]:
    return dict(Dimension.objects.values_list("slug", "kind"))


def _context(
    request: HttpRequest,
    assignment: Assignment,
    tagging: Tagging | None,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    evidence: dict[str, Any] | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    values = tagging.values if values is None and tagging else (values or {})
    evidence = tagging.evidence if evidence is None and tagging else (evidence or {})
    editable = tagging is None or tagging.status in (Tagging.Status.DRAFT, Tagging.Status.RETURNED)
    return {
        "assignment": assignment,
        "title": assignment.title,
        "tagging": tagging,
        "fields": form_fields(values=values, errors=errors, evidence=evidence),
        "evidence": evidence,
        "notes": tagging.notes if notes is None and tagging else (notes or ""),
        "errors": errors or {},
        "editable": editable,
        "version": tagging.version if tagging else 0,
        "evidence_json": json.dumps(evidence),
        "history": _history(tagging),
        "i18n_strings": {
            "confirmSubmit": _(
                "Submit this tagging? It becomes read-only until an editor returns it."
            ),
            "pinPrompt": _("Time to pin (hh:mm:ss or seconds):"),
            "pinNeedsValue": _("Answer this field first, then pin the time that shows it."),
            "saving": _("Saving…"),
            "unsaved": _("Unsaved changes"),
            "removePin": _("Remove pin"),
        },
        "save_url": reverse("tagging:tag-save", args=[assignment.title_id]),
        "submit_url": reverse("tagging:tag-submit", args=[assignment.title_id]),
    }


@role_required(Role.TAGGER)
@require_GET
def tag(request: HtmxHttpRequest, title_id: int) -> HttpResponse:
    assignment = tag_page_assignment(user=signed_in_user(request), title_id=title_id)
    tagging = getattr(assignment, "tagging", None)
    context = _context(request, assignment, tagging)
    if request.htmx and request.GET.get("partial") == "history":
        return render(request, "tagging/tag.html#history", context)
    return render(request, "tagging/tag.html", context)


def _save(request: HttpRequest, assignment: Assignment) -> Tagging:
    """Create or save the draft from the posted form (raises ValidationError / Conflict)."""
    data = request.POST
    values = form_values(data, kinds=_kinds())
    evidence = form_json(data, "evidence", {})
    notes = data.get("notes", "")
    seconds = form_int(data, "seconds_spent") or 0
    version = form_int(data, "version")
    tagging = getattr(assignment, "tagging", None)
    if tagging is None:
        if version not in (None, 0):
            # The page believed a tagging existed; it was saved elsewhere (another tab).
            raise Conflict(_("This title was started in another tab. Reload to continue there."))
        return tagging_create(
            tagger=signed_in_user(request),
            title=assignment.title,
            values=values,
            notes=notes,
            evidence=evidence,
            seconds_spent=seconds,
        )
    if version in (None, 0):
        # This page was opened before the first save elsewhere (another tab) created the draft.
        raise Conflict(_("This title was started in another tab. Reload to continue there."))
    return tagging_save_draft(
        tagging=tagging,
        user=signed_in_user(request),
        version=version,
        values=values,
        notes=notes,
        evidence=evidence,
        seconds_spent=seconds,
    )


@role_required(Role.TAGGER)
@require_POST
def tag_save(request: HttpRequest, title_id: int) -> HttpResponse:
    """Autosave (htmx): answers the save-state partial — "Saved 12:03:04", the new version kept
    in the form, or the conflict / error message with its HTTP status."""
    assignment = tag_page_assignment(user=signed_in_user(request), title_id=title_id)
    context: dict[str, Any] = {"save_url": reverse("tagging:tag-save", args=[title_id])}
    try:
        tagging = _save(request, assignment)
    except ValidationError as exc:
        current = getattr(assignment, "tagging", None)
        context.update(
            state="invalid", version=current.version if current else 0, errors=exc.message_dict
        )
        return render(request, "tagging/tag.html#save-state", context, status=400)
    except Conflict as exc:
        context.update(
            state="conflict",
            version=form_int(request.POST, "version") or 0,
            message=str(exc.detail),
        )
        return render(request, "tagging/tag.html#save-state", context, status=409)
    # The history card and the status badge follow along out of band.
    context.update(
        state="saved", version=tagging.version, tagging=tagging, history=_history(tagging), oob=True
    )
    return render(request, "tagging/tag.html#save-response", context)


@role_required(Role.TAGGER)
@require_POST
def tag_submit(request: HttpRequest, title_id: int) -> HttpResponse:
    """Save what is on screen, then submit; errors come back beside their fields."""
    assignment = tag_page_assignment(user=signed_in_user(request), title_id=title_id)
    try:
        tagging = _save(request, assignment)
        tagging_submit(tagging=tagging, user=signed_in_user(request), version=tagging.version)
    except ValidationError as exc:
        assignment = tag_page_assignment(user=signed_in_user(request), title_id=title_id)
        current = getattr(assignment, "tagging", None)
        context = _context(
            request,
            assignment,
            current,
            values=form_values(request.POST, kinds=_kinds()),
            errors=exc.message_dict,
            evidence=_dict_or_empty(form_json(request.POST, "evidence", {})),
            notes=request.POST.get("notes", ""),
        )
        return render(request, "tagging/tag.html", context, status=400)
    except Conflict as exc:
        messages.error(request, str(exc.detail))
        return redirect("tagging:tag", title_id=title_id)
    messages.success(request, _("Submitted. Thank you — on to the next title when you are ready."))
    return redirect("tagging:tag", title_id=title_id)
