"""URLs of ``bench_subscriber``'s server: the real site plus two baseline endpoints that compute
the list inside the request, the straightforward design the worker-built list replaces."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import include, path


def _naive_suggestions(request: Any) -> Any:
    """Score every tagged title against the features of what the subscriber liked or watched,
    in Python, per request: the straightforward design the worker-built list replaces."""
    from catalog.models import CanonicalTags
    from recommendations.models import ViewingEvent
    from recommendations.selectors_subscriber import (
        Card,
        Row,
        Suggestions,
        _tag_features,
        maturity_limits,
        subscriber_for_user,
        title_allowed,
    )

    subscriber = subscriber_for_user(user=request.user)
    assert subscriber is not None
    seen = set()
    profile: Counter[str] = Counter()
    for title_id, event, values in ViewingEvent.objects.filter(subscriber=subscriber).values_list(
        "title_id", "event", "title__canonical__values"
    ):
        seen.add(title_id)
        sign = -1 if event in ("not_interested", "disliked") else 1
        for feature in _tag_features(values or {}):
            profile[feature] += sign
    limits = maturity_limits(subscriber=subscriber)
    scored = []
    for title_id, values in CanonicalTags.objects.values_list("title_id", "values"):
        if title_id in seen or not title_allowed(values, limits):
            continue
        features = _tag_features(values or {})
        score = sum(profile[f] for f in features)
        if score > 0:
            scored.append((score, title_id, sorted(features & set(profile))[:2]))
    scored.sort(key=lambda row: (-row[0], row[1]))
    from catalog.models import Title

    top = scored[:50]
    titles = Title.objects.in_bulk([t for _, t, _ in top])
    cards = [
        Card(
            rank=i + 1,
            score=float(s),
            reason="Because you like " + ", ".join(f.split(":")[1] for f in why),
            title=titles[t],
        )
        for i, (s, t, why) in enumerate(top)
    ]
    rows = [
        Row(name=f"Row {n + 1}", cards=cards[n * 10 : n * 10 + 10])
        for n in range(5)
        if cards[n * 10 : n * 10 + 10]
    ]
    return Suggestions(
        subscriber=subscriber, generated_at=None, tags_version=0, cards=cards, rows=rows
    )


def baseline_home(request: Any) -> Any:
    from django.shortcuts import render
    from django.template.loader import render_to_string

    from recommendations.selectors_subscriber import list_state

    suggestions = _naive_suggestions(request)
    hero = suggestions.cards[0] if suggestions.cards else None
    shelves = render_to_string(
        "recommendations/home.html#shelves",
        {"suggestions": suggestions, "hero": hero},
        request=request,
    )
    state = list_state(subscriber=suggestions.subscriber)
    return render(
        request,
        "recommendations/home.html",
        {"state": state, "shelves": shelves, "updating": False},
    )


def home_uncached(request: Any) -> Any:
    """The production home page without its rows cache: precomputed list, rendered every time."""
    from django.shortcuts import render

    from recommendations.selectors_subscriber import (
        list_state,
        subscriber_for_user,
        suggestions_for,
    )

    subscriber = subscriber_for_user(user=request.user)
    assert subscriber is not None
    state = list_state(subscriber=subscriber)
    suggestions = suggestions_for(subscriber=subscriber)
    hero = suggestions.cards[0] if suggestions.cards else None
    from django.template.loader import render_to_string

    shelves = render_to_string(
        "recommendations/home.html#shelves",
        {"suggestions": suggestions, "hero": hero},
        request=request,
    )
    return render(
        request,
        "recommendations/home.html",
        {"state": state, "shelves": shelves, "updating": False},
    )


def baseline_api(request: Any) -> Any:
    from django.http import JsonResponse

    from recommendations.api.subscriber import suggestions_json

    return JsonResponse(suggestions_json(_naive_suggestions(request)))


urlpatterns = [
    path("bench/baseline/home/", baseline_home),
    path("bench/baseline/api/", baseline_api),
    path("bench/home-uncached/", home_uncached),
    path("", include("config.urls")),
]
