"""Editor pages: the review home (agreement chart and disagreement queue), a title's answers
side by side with the adjudication form, the taggers page and the planning page. htmx requests
get the named partial of the same template."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required, signed_in_user
from accounts.roles import Role
from catalog.models import Dimension, Title
from config.api_errors import Conflict
from config.htmx import HtmxHttpRequest

from ..charts import alpha_bars, drift_lines, heat_map
from ..models import Tagging
from ..review_models import CalibrationAnswer
from ..selectors_review.agreement import (
    agreement_overview,
    agreement_overview_cached,
    title_agreement,
)
from ..selectors_review.common import review_codebook
from ..selectors_review.queue import disagreement_queue
from ..selectors_review.taggers import tagger_report, tagger_throughput
from ..services.adjudication import (
    canonical_tags_adjudicate,
    canonical_tags_auto_apply,
    tagging_return_for_title,
)
from ..services.calibration import calibration_answer_set, calibration_assign
from ..services.planning import planning_assign, planning_titles

editor_required = role_required(Role.EDITOR)
OVERVIEW_BOOTSTRAP = 300


def _int(value: Any, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(value), lo), hi)
    except (TypeError, ValueError):
        return default


def _float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _error_text(exc: ValidationError | Conflict) -> str:
    if isinstance(exc, Conflict):
        return str(exc.detail)
    if hasattr(exc, "error_dict"):
        return " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


# --- review home ----------------------------------------------------------------------------


@editor_required
def review(request: HtmxHttpRequest) -> HttpResponse:
    dimension = request.GET.get("dimension", "")
    search = request.GET.get("q", "").strip()
    min_score = _float(request.GET.get("min"), 0.0)
    include_adjudicated = request.GET.get("done") == "1"
    params = {"dimension": dimension, "q": search, "min": min_score, "done": include_adjudicated}
    page = disagreement_queue(
        dimension=dimension,
        search=search,
        min_score=min_score,
        include_adjudicated=include_adjudicated,
        page=_int(request.GET.get("page"), 1, 1, 100000),
    )
    codebook = review_codebook()
    context: dict[str, Any] = {"queue": page, "params": params, "dimensions": codebook.dimensions}
    if request.htmx and request.GET.get("part") != "agreement":
        return render(request, "tagging/review.html#queue", context)
    # The agreement chart bootstraps every dimension: when it is not cached yet the page comes
    # at once with the queue and fetches the chart in a second request.
    overview = (
        agreement_overview(bootstrap=OVERVIEW_BOOTSTRAP)
        if request.htmx
        else agreement_overview_cached(bootstrap=OVERVIEW_BOOTSTRAP)
    )
    context["overview"] = overview
    if overview is not None:
        context["chart"] = alpha_bars(
            [(row["label"], row["alpha"], *(row["ci"] or (None, None))) for row in overview],
            title=_("Krippendorff's alpha per dimension with 95% confidence intervals"),
        )
    if request.htmx:
        return render(request, "tagging/review.html#agreement", context)
    return render(request, "tagging/review.html", context)


@require_POST
@editor_required
def review_auto_apply(request: HttpRequest) -> HttpResponse:
    changed = canonical_tags_auto_apply()
    messages.success(request, _("Automatic canonical tags set on %(n)s titles.") % {"n": changed})
    return redirect("tagging:review")


# --- one title ------------------------------------------------------------------------------


def _values_from_post(post: Any, dimensions: list[Dimension]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for d in dimensions:
        key = f"v-{d.slug}"
        if d.kind == Dimension.Kind.MULTI:
            chosen = [s for s in post.getlist(key) if s]
            if chosen:
                values[d.slug] = sorted(set(chosen))
            continue
        raw = (post.get(key) or "").strip()
        if raw == "":
            continue
        if d.kind == Dimension.Kind.ORDINAL:
            values[d.slug] = int(raw) if raw.isdigit() else raw
        elif d.kind == Dimension.Kind.BOOLEAN:
            values[d.slug] = raw == "true"
        else:
            values[d.slug] = raw
    return values


def _title_context(title: Title, *, form_values: dict[str, Any] | None = None) -> dict[str, Any]:
    report = title_agreement(title=title)
    canonical = report["canonical"]
    if form_values is None:
        form_values = dict(report["proposal"])
        if canonical is not None and canonical.source == canonical.Source.ADJUDICATED:
            form_values = dict(canonical.values)
    for d in report["dimensions"]:
        value = form_values.get(d["slug"])
        d["form_value"] = value
        d["form_list"] = value if isinstance(value, list) else []
        d["form_str"] = (
            ""
            if value is None
            else ("true" if value is True else "false" if value is False else str(value))
        )
        if d["kind"] == Dimension.Kind.MULTI:
            # Tags somebody chose come first; the long tail of the codebook folds away.
            used = set(d["form_list"]) | set(d["canonical"] or [])
            for a in d["answers"]:
                used |= set(a["value"] or [])
            d["tags_main"] = [t for t in d["tags"] if t[0] in used]
            d["tags_more"] = [t for t in d["tags"] if t[0] not in used]
    return {
        **report,
        "version": canonical.version if canonical else 0,
        "calibration": CalibrationAnswer.objects.filter(title=title, active=True).first(),
        "levels": [str(n) for n in range(6)],
    }


@editor_required
def review_title(request: HttpRequest, pk: int) -> HttpResponse:
    title = get_object_or_404(Title, pk=pk)
    error, status = "", 200
    form_values = None
    if request.method == "POST":
        dimensions = review_codebook().dimensions
        form_values = _values_from_post(request.POST, dimensions)
        action = request.POST.get("action", "adjudicate")
        try:
            if action == "calibration":
                calibration_answer_set(
                    title=title,
                    values=form_values,
                    editor=signed_in_user(request),
                    notes=request.POST.get("reason", ""),
                )
                messages.success(request, _("Saved as this title's calibration reference."))
            else:
                version = request.POST.get("version", "")
                canonical_tags_adjudicate(
                    title=title,
                    values=form_values,
                    editor=signed_in_user(request),
                    reason=request.POST.get("reason", "").strip(),
                    version=int(version) if version.isdigit() else None,
                )
                messages.success(
                    request, _("Canonical tags saved for “%(title)s”.") % {"title": title.title}
                )
                return redirect("tagging:review-title", pk=title.pk)
        except (ValidationError, Conflict) as exc:
            error, status = _error_text(exc), 409 if isinstance(exc, Conflict) else 400
    context = _title_context(title, form_values=form_values)
    context["error"] = error
    return render(request, "tagging/review_title.html", context, status=status)


@require_POST
@editor_required
def review_return(request: HtmxHttpRequest, pk: int, tagging_id: int) -> HttpResponse:
    title = get_object_or_404(Title, pk=pk)
    tagging = get_object_or_404(
        Tagging.objects.select_related("tagger"), pk=tagging_id, title=title
    )
    error = ""
    try:
        tagging = tagging_return_for_title(
            title=title,
            tagging=tagging,
            editor=signed_in_user(request),
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        error = _error_text(exc)
    context = {"tagging": tagging, "title": title, "error": error}
    if request.htmx:
        return render(
            request, "tagging/review_title.html#returned", context, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Returned to %(name)s.") % {"name": tagging.tagger.get_username()}
        )
    return redirect("tagging:review-title", pk=title.pk)


# --- taggers --------------------------------------------------------------------------------


@editor_required
def review_taggers(request: HttpRequest) -> HttpResponse:
    window = _int(request.GET.get("window"), 28, 3, 180)
    report = tagger_report(dimension_slug=request.GET.get("dimension", ""), window_days=window)
    labels = report.pairwise["labels"]
    matrix = [[None if v != v else float(v) for v in row] for row in report.pairwise["alpha"]]
    heat = (
        heat_map(
            labels, matrix, report.pairwise["n"].tolist(), title=_("Pairwise alpha between taggers")
        )
        if labels
        else ""
    )
    names = {t["id"]: t["username"] for t in report.taggers}
    drift = ""
    if report.drift.get("dates") and report.drift["series"]:
        drift = drift_lines(
            report.drift["dates"],
            [(names[pk], s) for pk, s in report.drift["series"].items()],
            title=_("Agreement with consensus, rolling window"),
        )
    throughput = {row["id"]: row for row in tagger_throughput(days=window)}
    for t in report.taggers:
        t["throughput"] = throughput.get(t["id"])
        t["bias_list"] = [
            (slug, *t["bias"].get(slug, (None, 0))) for slug in report.bias_dimensions
        ]
    return render(
        request,
        "tagging/review_taggers.html",
        {
            "report": report,
            "heat": heat,
            "drift": drift,
            "window": window,
            "dimensions": report.codebook.dimensions,
            "idle": [row for pk, row in throughput.items() if pk not in names],
        },
    )


# --- planning -------------------------------------------------------------------------------


@editor_required
def planning(request: HttpRequest) -> HttpResponse:
    taggers = list(get_user_model().objects.filter(groups__name="tagger").order_by("username"))
    error = ""
    overlap = _int(request.POST.get("overlap") or request.GET.get("overlap"), 2, 1, 10)
    if request.method == "POST":
        chosen = [t for t in taggers if str(t.pk) in set(request.POST.getlist("taggers"))]
        due = request.POST.get("due_date") or None
        try:
            created = planning_assign(
                taggers=chosen,
                overlap=overlap,
                count=_int(request.POST.get("count"), 20, 1, 5000),
                editor=signed_in_user(request),
                search=request.POST.get("q", "").strip(),
                due_date=date.fromisoformat(due) if due else None,
            )
            messages.success(request, _("%(n)s assignments created.") % {"n": len(created)})
            return redirect("tagging:planning")
        except (ValidationError, ValueError) as exc:
            error = _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
    calibration = list(
        CalibrationAnswer.objects.filter(active=True)
        .select_related("title")
        .order_by("-updated_at")[:20]
    )
    return render(
        request,
        "tagging/planning.html",
        {
            "taggers": taggers,
            "throughput": tagger_throughput(days=28),
            "short": planning_titles(overlap=overlap, limit=10),
            "overlap": overlap,
            "error": error,
            "calibration": calibration,
        },
        status=400 if error else 200,
    )


@require_POST
@editor_required
def planning_calibration(request: HttpRequest, pk: int) -> HttpResponse:
    title = get_object_or_404(Title, pk=pk)
    ids = set(request.POST.getlist("taggers"))
    chosen = list(
        get_user_model().objects.filter(
            groups__name="tagger", pk__in=[i for i in ids if i.isdigit()]
        )
    )
    try:
        created = calibration_assign(title=title, taggers=chosen, editor=signed_in_user(request))
        messages.success(
            request, _("Calibration title added to %(n)s queues.") % {"n": len(created)}
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("tagging:planning")
