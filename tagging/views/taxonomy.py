"""Editor pages of the taxonomy: dimensions and tags (add, edit wording and French translation,
rename, merge with undo, retire/restore, reorder), automatic thresholds, the change log and the
confusion report. Each action is a POST handled by one service; htmx swaps the tag list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required, signed_in_user
from accounts.roles import Role
from catalog.models import Dimension, Tag, TaxonomyChange
from catalog.selectors import taxonomy_version
from config.htmx import HtmxHttpRequest

from ..review_models import DimensionPolicy
from ..selectors_review.agreement import agreement_dimension
from ..selectors_review.taxonomy import confusion_report, dimension_detail, taxonomy_changes
from ..services import taxonomy as svc
from ..services.adjudication import dimension_policy_set

editor_required = role_required(Role.EDITOR)


def _french(post: Any) -> dict[str, str]:
    return {k: post.get(f"fr_{k}", "") for k in ("label", "definition", "examples")}


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(" ".join(m) for m in exc.message_dict.values())
    return " ".join(exc.messages)


@editor_required
def taxonomy(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            dimension = svc.dimension_create(
                slug=request.POST.get("slug", "").strip(),
                label=request.POST.get("label", ""),
                kind=request.POST.get("kind", ""),
                definition=request.POST.get("definition", ""),
                editor=signed_in_user(request),
                french=_french(request.POST),
            )
            messages.success(
                request, _("Dimension “%(label)s” added.") % {"label": dimension.label}
            )
            return redirect("tagging:taxonomy-dimension", pk=dimension.pk)
        except ValidationError as exc:
            error = _errors(exc)
    dimensions = list(Dimension.objects.order_by("order", "slug"))
    policies = {p.dimension_id: p for p in DimensionPolicy.objects.all()}
    counts: dict[int, int] = {}
    for tag in Tag.objects.filter(active=True).values_list("dimension_id", flat=True):
        counts[tag] = counts.get(tag, 0) + 1
    rows = [
        {"dimension": d, "policy": policies.get(d.pk), "tags": counts.get(d.pk, 0)}
        for d in dimensions
    ]
    return render(
        request,
        "tagging/taxonomy.html",
        {
            "rows": rows,
            "changes": taxonomy_changes(),
            "version": taxonomy_version(),
            "kinds": Dimension.Kind.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


@editor_required
def taxonomy_dimension(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    dimension = get_object_or_404(Dimension, pk=pk)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _dimension_action(request, dimension, action)
            if not request.htmx:
                return redirect("tagging:taxonomy-dimension", pk=dimension.pk)
        except ValidationError as exc:
            error = _errors(exc)
        dimension.refresh_from_db()
    detail = dimension_detail(dimension=dimension)
    if dimension.kind == Dimension.Kind.MULTI:
        # Which tags taggers apply consistently: the binary alpha of each tag.
        per_tag = agreement_dimension(dimension=dimension, bootstrap=0).get("per_tag", {})
        for tag in detail["tags"]:
            tag.alpha = per_tag.get(tag.slug)
    context = {
        **detail,
        "policy": DimensionPolicy.objects.filter(dimension=dimension).first(),
        "changes": [c for c in taxonomy_changes(limit=200) if c.dimension_id == dimension.pk][:15],
        "error": error,
        "version": taxonomy_version(),
        "has_tags": dimension.kind in {Dimension.Kind.MULTI, Dimension.Kind.SINGLE},
    }
    if request.htmx:
        return render(
            request, "tagging/taxonomy_dimension.html#tags", context, status=400 if error else 200
        )
    return render(request, "tagging/taxonomy_dimension.html", context, status=400 if error else 200)


def _tag(dimension: Dimension, value: Any) -> Tag:
    return get_object_or_404(Tag, pk=value if str(value).isdigit() else 0, dimension=dimension)


def _dimension_action(request: HttpRequest, dimension: Dimension, action: str) -> None:
    post, editor = request.POST, signed_in_user(request)
    if action == "edit-dimension":
        svc.dimension_edit(
            dimension=dimension,
            editor=editor,
            label=post.get("label", ""),
            definition=post.get("definition", ""),
            required=post.get("required") == "on",
            french=_french(post),
        )
        messages.success(request, _("Dimension saved."))
    elif action == "policy":
        raw = post.get("auto_threshold", "").strip()
        try:
            threshold = float(raw) if raw else None
            weight = float(post.get("disagreement_weight") or 1)
            min_taggers = int(post.get("min_taggers") or 2)
        except ValueError as exc:
            raise ValidationError({"auto_threshold": [_("Enter numbers.")]}) from exc
        dimension_policy_set(
            dimension=dimension,
            editor=editor,
            auto_threshold=threshold,
            min_taggers=min_taggers,
            disagreement_weight=weight,
        )
        messages.success(request, _("Review thresholds saved."))
    elif action == "add-tag":
        svc.tag_create(
            dimension=dimension,
            slug=post.get("slug", "").strip(),
            label=post.get("label", ""),
            definition=post.get("definition", ""),
            examples=post.get("examples", ""),
            editor=editor,
            french=_french(post),
        )
        messages.success(request, _("Tag added."))
    elif action == "edit-tag":
        tag = _tag(dimension, post.get("tag"))
        svc.tag_edit(
            tag=tag,
            editor=editor,
            label=post.get("label", ""),
            definition=post.get("definition", ""),
            examples=post.get("examples", ""),
            french=_french(post),
        )
        messages.success(request, _("Tag “%(label)s” saved.") % {"label": tag.label})
    elif action == "rename":
        tag = _tag(dimension, post.get("tag"))
        svc.tag_rename(
            tag=tag,
            new_slug=post.get("new_slug", "").strip(),
            new_label=post.get("new_label", ""),
            editor=editor,
        )
        messages.success(request, _("Tag renamed; every answer now uses the new name."))
    elif action == "merge":
        source, target = _tag(dimension, post.get("tag")), _tag(dimension, post.get("target"))
        change = svc.tag_merge(source=source, target=target, editor=editor)
        messages.success(
            request, _("Merged (taxonomy version %(v)s). You can undo it below.") % {"v": change.pk}
        )
    elif action in {"retire", "restore"}:
        svc.tag_set_active(
            tag=_tag(dimension, post.get("tag")), active=action == "restore", editor=editor
        )
    elif action in {"up", "down"}:
        svc.tag_move(
            tag=_tag(dimension, post.get("tag")), offset=-1 if action == "up" else 1, editor=editor
        )
    elif action in {"retire-dimension", "restore-dimension"}:
        svc.dimension_set_active(
            dimension=dimension, active=action == "restore-dimension", editor=editor
        )
    elif action in {"dimension-up", "dimension-down"}:
        svc.dimension_move(
            dimension=dimension, offset=-1 if action == "dimension-up" else 1, editor=editor
        )
    else:
        raise ValidationError({"action": [_("Unknown action.")]})


@require_POST
@editor_required
def taxonomy_undo(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(TaxonomyChange, pk=pk)
    try:
        svc.change_undo(change=change, editor=signed_in_user(request))
        messages.success(request, _("Undone: %(summary)s") % {"summary": change.summary})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    if change.dimension_id:
        return redirect("tagging:taxonomy-dimension", pk=change.dimension_id)
    return redirect("tagging:taxonomy")


@editor_required
def taxonomy_confusion(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("dimension", "")
    return render(
        request,
        "tagging/taxonomy_confusion.html",
        {
            "report": confusion_report(dimension_slug=slug),
            "dimensions": Dimension.objects.filter(
                active=True, kind__in=[Dimension.Kind.MULTI, Dimension.Kind.SINGLE]
            ),
            "selected": slug,
        },
    )
