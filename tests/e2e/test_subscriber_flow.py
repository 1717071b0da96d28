"""A subscriber in Chromium: rows with reasons, "not interested", the worker's rebuild, and the
pages in English and French at desktop and phone widths."""

from __future__ import annotations

import importlib
import time
from typing import Any

import pytest
from django.apps import apps as django_apps

from accounts.roles import Role
from catalog.models import Dimension
from recommendations.models import RecommendationList, ViewingEvent
from recommendations.selectors_subscriber import subscriber_for_user
from tests.conftest import PASSWORD
from tests.recommendations.subscriber_helpers import list_write, tagged_title

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GENRES = ["comedy", "drama", "thriller", "crime", "romance", "sci-fi"]
TONES = ["irreverent", "emotional", "dark", "quirky", "sincere", "suspenseful"]


def _ensure_codebook() -> None:
    """Transactional tests flush tables, the default codebook included: put it back."""
    if not Dimension.objects.filter(slug="violence").exists():
        migration = importlib.import_module("catalog.migrations.0002_default_codebook")
        migration.create_codebook(django_apps, None)


def _catalogue() -> list[Any]:
    titles = []
    for i in range(36):
        values = {
            "genre": sorted({GENRES[i % 6], GENRES[(i * 5 + 1) % 6]}),
            "tone": [TONES[i % 6]],
            "violence": i % 3,
            "sex": i % 2,
            "language": i % 3,
            "suspense": i % 6,
        }
        titles.append(tagged_title(f"Picture {i:02d}", values, runtime_minutes=88 + i))
    return titles


def _wait_for_rebuild(subscriber: Any, before: Any, timeout: float = 30) -> RecommendationList:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rec = RecommendationList.objects.filter(subscriber=subscriber).first()
        if rec is not None and rec.generated_at != before:
            return rec
        time.sleep(0.25)
    raise AssertionError("the worker did not rebuild the list in time")


def test_subscriber_dismisses_a_title_and_it_is_gone_after_the_rebuild(
    page: Any, live_server: Any, login: Any, screenshot: Any, make_user: Any
) -> None:
    _ensure_codebook()
    user = make_user(Role.SUBSCRIBER)
    subscriber = subscriber_for_user(user=user)
    titles = _catalogue()
    from django.utils import timezone

    for seen in titles[:6]:
        ViewingEvent.objects.create(
            subscriber=subscriber, title=seen, event="liked", timestamp=timezone.now()
        )
    shown = titles[6:30]
    rec = list_write(
        subscriber,
        shown,
        rows=[("Top picks for you", shown[:12]), ("Irreverent comedies", shown[12:])],
    )
    victim = shown[0]

    login(user.username, PASSWORD)
    page.goto(f"{live_server.url}/for-you/")
    assert page.locator(".shelf h2").first.inner_text() == "Top picks for you"
    assert page.locator(".tcard-reason").first.inner_text().endswith("which you liked")
    screenshot("subscriber-home-1280")

    card = page.locator(
        ".shelf .tcard", has=page.get_by_role("heading", name=victim.title, exact=True)
    ).first
    card.get_by_role("button", name="Not interested").click()
    page.get_by_text("Hidden — we’ll show fewer like this.").first.wait_for()
    # The feedback queued a rebuild through the outbox; the worker (eager in tests) rebuilds.
    rebuilt = _wait_for_rebuild(subscriber, rec.generated_at)
    assert victim.pk not in rebuilt.title_ids
    # The page polls, sees the new list and reloads itself.
    page.wait_for_function(
        "() => !document.querySelector('#list-status.is-updating')", timeout=15_000
    )
    page.wait_for_load_state("networkidle")
    assert victim.title not in page.locator("main").inner_text()
    assert page.locator(".tcard-reason").count() > 0

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("subscriber-home-390")


def test_pages_in_english_and_french_at_two_widths(
    page: Any, live_server: Any, login: Any, screenshot: Any, make_user: Any
) -> None:
    _ensure_codebook()
    user = make_user(Role.SUBSCRIBER)
    subscriber = subscriber_for_user(user=user)
    titles = _catalogue()
    list_write(
        subscriber,
        titles[:20],
        rows=[("Top picks for you", titles[:10]), ("Dark thrillers", titles[10:20])],
    )
    login(user.username, PASSWORD)
    pages = {
        "home": "/for-you/",
        "title": f"/for-you/titles/{titles[3].pk}/",
        "profile": "/for-you/profile/",
    }
    for language, marker in (("en", "Maturity limits"), ("fr", "Limites d’âge")):
        if language == "fr":
            page.goto(f"{live_server.url}/for-you/")
            with page.expect_navigation():
                page.click("button[name=language][value=fr]")
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages.items():
                page.goto(f"{live_server.url}{path}")
                assert page.locator("html").get_attribute("lang") == language
                assert marker in page.locator(".subnav").inner_text()
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                screenshot(f"subscriber-{name}-{language}-{width}")
    # Keyboard: the first card's link and its feedback buttons are reachable with Tab.
    page.goto(f"{live_server.url}/for-you/")
    page.locator(".shelf .tcard-link").first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "feedback"
