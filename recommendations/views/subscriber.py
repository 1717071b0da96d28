"""Subscriber pages: suggestions, title pages, history, profile.

Thin views: every read goes through ``selectors_subscriber`` (precomputed lists only), every
write through ``services.feedback`` / ``services.profile``. htmx requests get the partial of the
same template.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from catalog.models import Title

from ..models import Subscriber, ViewingEvent
from ..selectors_subscriber import (
    Card,
    ListState,
    history_list,
    list_generated_at,
    list_stamp,
    reason_for_title,
    similar_titles,
    subscriber_for_user,
    subscriber_state,
    suggestions_for,
    title_feedback,
    title_get,
    title_tags_labelled,
)
from ..services.feedback import feedback_event, feedback_record
from ..services.profile import (
    CUSTOM,
    PRESET_HELP,
    PRESET_LABELS,
    PRESETS,
    maturity_dimensions,
    preset_of,
    profile_update,
)

HISTORY_PAGE_SIZE = 50
HOME_CACHE_SECONDS = 600
POLL_GIVE_UP_SECONDS = 90


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))  # set by django-htmx's middleware


def _subscriber(request: HttpRequest) -> Subscriber:
    subscriber = subscriber_for_user(user=request.user)
    if subscriber is None:  # role_required let a non-subscriber through: cannot happen
        raise Http404
    return subscriber


def home_shelves(request: HttpRequest, subscriber: Subscriber, state: ListState) -> str:
    """The rows of the home page rendered from the precomputed list. They depend only on the
    list state (version, limits, hiding feedback) and the language, so they are cached under
    that key: a rebuilt list, a retagged title, a new limit or a "not interested" makes a new key."""
    key = state.cache_key(language=get_language() or "en")
    shelves = cache.get(key)
    if shelves is None:
        suggestions = suggestions_for(
            subscriber=subscriber, taxonomy_version=state.taxonomy_version
        )
        hero = suggestions.cards[0] if suggestions.cards else None
        shelves = render_to_string(
            "recommendations/home.html#shelves",
            {"suggestions": suggestions, "hero": hero},
            request=request,
        )
        cache.set(
            key, shelves, getattr(settings, "SUBSCRIBER_HOME_CACHE_SECONDS", HOME_CACHE_SECONDS)
        )
    return shelves


def home_page_key(request: HttpRequest, state: ListState, updated: str) -> str | None:
    """Key of the whole rendered page, or None when it must be rendered afresh.

    Besides the list state and language, the page holds the user's name and menu, CSRF tokens
    (masked forms of the CSRF cookie's secret, so valid whenever that secret is) and the
    "updated … ago" words: all in the key. Pages with one-off messages, of a list still being
    prepared (its poll carries the time it started) or without a CSRF cookie yet (rendering sets
    it) are never cached.
    """
    secret = request.META.get("CSRF_COOKIE")
    if state.pending or not secret or len(messages.get_messages(request)):
        return None
    private = hashlib.sha256(
        f"{request.user.pk}:{secret}:{request.get_full_path()}:{updated}".encode()
    ).hexdigest()
    return f"{state.cache_key(language=get_language() or 'en')}:page:{private}"


@role_required(Role.SUBSCRIBER)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    found = subscriber_state(user=request.user)
    if found is None:  # role_required let a non-subscriber through: cannot happen
        raise Http404
    subscriber, state = found
    just_now = state.generated_at is not None and timezone.now() - state.generated_at < timedelta(
        minutes=1
    )
    updated = "now" if just_now or state.generated_at is None else timesince(state.generated_at)
    key = home_page_key(request, state, updated)
    page = cache.get(key) if key else None
    if page is None:
        page = render_to_string(
            "recommendations/home.html",
            {
                "state": state,
                "shelves": home_shelves(request, subscriber, state),
                "updating": state.pending,
                "just_now": just_now,
            },
            request=request,
        )
        if key:
            cache.set(key, page, getattr(settings, "SUBSCRIBER_HOME_CACHE_SECONDS", 600))
    return HttpResponse(page)


@role_required(Role.SUBSCRIBER)
@require_GET
def list_status(request: HttpRequest) -> HttpResponse:
    """Polled by the "updating your suggestions…" banner: 204 (nothing to swap) while the list
    is the one the page shows, then ``HX-Refresh`` so htmx reloads the page with the rebuilt
    list. Past ``POLL_GIVE_UP_SECONDS`` it answers 286, which stops htmx polling, with a note."""
    current = list_stamp(list_generated_at(subscriber=_subscriber(request)))
    if current != request.GET.get("since", ""):
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    try:
        waited = time.time() - float(request.GET.get("started", ""))
    except ValueError:
        waited = 0.0
    if waited > POLL_GIVE_UP_SECONDS:
        html = render_to_string(
            "recommendations/partials/list_status.html", {"slow": True}, request=request
        )
        return HttpResponse(html, status=286)
    return HttpResponse(status=204)


@role_required(Role.SUBSCRIBER)
@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = _subscriber(request)
    title = Title.objects.filter(pk=pk).first()
    if title is None:
        raise Http404
    try:
        event = feedback_event(request.POST.get("feedback"))
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    since = list_stamp(list_generated_at(subscriber=subscriber))
    feedback_record(subscriber=subscriber, title=title, event=event)
    if not _is_htmx(request):
        messages.success(request, _("Thanks — your suggestions are being updated."))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "recommendations:home"
        return redirect(target)
    card = Card(rank=0, score=0.0, reason=request.POST.get("reason", "")[:300], title=title)
    return render(
        request,
        "recommendations/partials/feedback_done.html",
        {
            "card": card,
            "given": {event.value},
            "event": event.value,
            "since": since,
            "view": request.POST.get("view", "card"),
        },
    )


@role_required(Role.SUBSCRIBER)
@require_GET
def title_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = _subscriber(request)
    try:
        title = title_get(pk=pk)
    except Title.DoesNotExist:
        raise Http404 from None
    reason = reason_for_title(subscriber=subscriber, title=title)
    similar = [
        Card(rank=0, score=0.0, reason="", title=other)
        for other in similar_titles(title=title, subscriber=subscriber)
    ]
    card = Card(rank=0, score=0.0, reason=reason, title=title)
    return render(
        request,
        "recommendations/title.html",
        {
            "title": title,
            "card": card,
            "reason": reason,
            "tags": title_tags_labelled(title=title),
            "similar": similar,
            "given": title_feedback(subscriber=subscriber, title=title),
        },
    )


@role_required(Role.SUBSCRIBER)
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(history_list(subscriber=_subscriber(request)), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = (
        "recommendations/history.html#events"
        if _is_htmx(request)
        else "recommendations/history.html"
    )
    return render(request, template, {"page": page, "Event": ViewingEvent.Event})


@role_required(Role.SUBSCRIBER)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    subscriber = _subscriber(request)
    dimensions = maturity_dimensions()
    slugs = {d.slug for d in dimensions}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        preset = request.POST.get("preset", CUSTOM)
        levels = None
        if preset == CUSTOM:
            levels = {d.slug: request.POST.get(f"max_{d.slug}", "") for d in dimensions}
        try:
            profile_update(subscriber=subscriber, max_levels=levels, preset=preset)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Saved. Your suggestions now follow these limits."))
            return redirect("recommendations:profile")
    current = {k: v for k, v in (subscriber.max_levels or {}).items() if k in slugs}
    rows = [
        {
            "dimension": d,
            "current": current.get(d.slug),
            "levels": [t for t in d.tags.all() if t.level is not None and t.active],
            "errors": errors.get(f"max_levels.{d.slug}", []),
        }
        for d in dimensions
    ]
    presets = [
        {
            "name": name,
            "label": PRESET_LABELS[name],
            "help": PRESET_HELP[name],
            "caps": [(d, caps.get(d.slug)) for d in dimensions],
        }
        for name, caps in PRESETS.items()
    ]
    return render(
        request,
        "recommendations/profile.html",
        {
            "rows": rows,
            "presets": presets,
            "preset": preset_of(current, slugs=slugs),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
