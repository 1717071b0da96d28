"""What a subscriber sees: rows with reasons, only their own list, never above their limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from catalog.models import OutboxEvent
from recommendations.models import Subscriber, ViewingEvent
from recommendations.selectors_subscriber import subscriber_for_user

from .subscriber_helpers import list_write, safe_values, tagged_title

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_shows_rows_with_reasons_and_runtime(subscriber_user: Any, sub: Subscriber) -> None:
    comedy = tagged_title("Clerks", safe_values(), runtime_minutes=92)
    drama = tagged_title(
        "The Remains of the Day", safe_values(genre=["drama"]), runtime_minutes=134
    )
    list_write(
        sub,
        [comedy, drama],
        rows=[("Irreverent comedies", [comedy]), ("Emotional dramas", [drama])],
    )
    html = _client(subscriber_user).get(reverse("recommendations:home")).content.decode()
    assert "Irreverent comedies" in html
    assert "Emotional dramas" in html
    assert "Clerks" in html
    assert "The Remains of the Day" in html
    assert "Irreverent comedy — like Clerks, which you liked" in html
    assert "1 h 32 min" in html
    assert "2 h 14 min" in html
    assert reverse("recommendations:feedback", args=[comedy.pk]) in html


def test_home_shows_only_the_subscribers_own_list(
    make_user: Callable[..., Any], sub: Subscriber, subscriber_user: Any
) -> None:
    other_user = make_user(Role.SUBSCRIBER)
    other = subscriber_for_user(user=other_user)
    mine = tagged_title("Mine Only", safe_values())
    theirs = tagged_title("Theirs Only", safe_values())
    list_write(sub, [mine])
    list_write(other, [theirs])
    html = _client(subscriber_user).get(reverse("recommendations:home")).content.decode()
    assert "Mine Only" in html
    assert "Theirs Only" not in html
    html = _client(other_user).get(reverse("recommendations:home")).content.decode()
    assert "Theirs Only" in html
    assert "Mine Only" not in html


def test_a_just_tightened_limit_applies_before_the_rebuild(
    subscriber_user: Any, sub: Subscriber
) -> None:
    gentle = tagged_title("Gentle", safe_values(violence=1))
    brutal = tagged_title("Brutal", safe_values(violence=4))
    unrated = tagged_title("Unrated", {"genre": ["drama"]})  # no violence level yet
    untagged = tagged_title("Untagged", None)
    list_write(sub, [gentle, brutal, unrated, untagged])
    client = _client(subscriber_user)
    html = client.get(reverse("recommendations:home")).content.decode()
    assert all(name in html for name in ("Gentle", "Brutal", "Unrated", "Untagged"))
    sub.max_levels = {"violence": 2}
    sub.save()
    html = client.get(reverse("recommendations:home")).content.decode()
    assert "Gentle" in html
    # Above the cap, and fail-safe: an unknown level for a limited dimension is never shown.
    assert "Brutal" not in html
    assert "Unrated" not in html
    assert "Untagged" not in html


def test_not_interested_hides_the_title_at_once(subscriber_user: Any, sub: Subscriber) -> None:
    keep, drop = tagged_title("Keep Me", safe_values()), tagged_title("Drop Me", safe_values())
    list_write(sub, [keep, drop])
    client = _client(subscriber_user)
    assert (
        "Drop Me" in client.get(reverse("recommendations:home")).content.decode()
    )  # rows now cached
    response = client.post(
        reverse("recommendations:feedback", args=[drop.pk]),
        {"feedback": "not_interested"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Updating your suggestions" in response.content.decode()
    assert ViewingEvent.objects.filter(subscriber=sub, title=drop, event="not_interested").exists()
    assert (
        OutboxEvent.objects.filter(kind=OutboxEvent.Kind.SUBSCRIBER, object_id=sub.pk).count() == 1
    )
    html = client.get(reverse("recommendations:home")).content.decode()
    assert "Keep Me" in html
    assert "Drop Me" not in html


def test_feedback_without_htmx_redirects_back(subscriber_user: Any, sub: Subscriber) -> None:
    title = tagged_title("Liked", safe_values())
    response = _client(subscriber_user).post(
        reverse("recommendations:feedback", args=[title.pk]),
        {"feedback": "like", "next": "/for-you/history/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/for-you/history/"
    assert ViewingEvent.objects.get(subscriber=sub).event == ViewingEvent.Event.LIKED


def test_feedback_rejects_an_unknown_word(subscriber_user: Any, sub: Subscriber) -> None:
    title = tagged_title("X", safe_values())
    response = _client(subscriber_user).post(
        reverse("recommendations:feedback", args=[title.pk]), {"feedback": "meh"}
    )
    assert response.status_code == 400
    assert not ViewingEvent.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_status_poll_answers_204_until_the_list_changes(
    subscriber_user: Any, sub: Subscriber
) -> None:
    client = _client(subscriber_user)
    url = reverse("recommendations:list-status")
    assert client.get(url, {"since": "none"}).status_code == 204
    rec = list_write(sub, [tagged_title("New", safe_values())])
    response = client.get(url, {"since": "none"})
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert client.get(url, {"since": rec.generated_at.isoformat()}).status_code == 204


def test_status_poll_gives_up_with_a_note_after_a_while(
    subscriber_user: Any, sub: Subscriber
) -> None:
    import time

    response = _client(subscriber_user).get(
        reverse("recommendations:list-status"),
        {"since": "none", "started": str(int(time.time()) - 600)},
    )
    assert response.status_code == 286  # htmx stops polling
    assert "still being updated" in response.content.decode()


def test_home_without_a_list_says_it_is_being_prepared_and_polls(subscriber_user: Any) -> None:
    html = _client(subscriber_user).get(reverse("recommendations:home")).content.decode()
    assert "preparing your suggestions" in html
    assert reverse("recommendations:list-status") + "?since=none" in html


def test_subscriber_row_is_created_lazily_for_accounts_made_elsewhere(
    make_user: Callable[..., Any],
) -> None:
    user = make_user(Role.SUBSCRIBER)
    assert not Subscriber.objects.filter(user=user).exists()
    assert _client(user).get(reverse("recommendations:home")).status_code == 200
    assert Subscriber.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("name", ["home", "history", "profile"])
def test_subscriber_pages_refuse_other_roles(tagger: Any, name: str) -> None:
    assert _client(tagger).get(reverse(f"recommendations:{name}")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("recommendations:home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_title_page_shows_labels_and_definitions_never_slugs(
    subscriber_user: Any, sub: Subscriber
) -> None:
    title = tagged_title(
        "Heat",
        {"genre": ["crime", "thriller"], "tone": ["dark"], "violence": 4, "based-on-book": False},
    )
    tagged_title("Ronin", {"genre": ["crime", "thriller"], "tone": ["dark"], "violence": 3})
    tagged_title("Toy Story", {"genre": ["animation"], "tone": ["quirky"], "violence": 0})
    html = (
        _client(subscriber_user)
        .get(reverse("recommendations:title", args=[title.pk]))
        .content.decode()
    )
    assert "Crime" in html
    assert "Thriller" in html
    assert "Dark" in html
    assert "Sci-fi" not in html
    assert 'class="label-chip">crime<' not in html  # labels, never slugs
    assert "tagdef" in html  # definitions shown next to the labels
    assert "Ronin" in html
    assert "Toy Story" not in html
    assert "Similar titles" in html


def test_similar_titles_respect_limits(subscriber_user: Any, sub: Subscriber) -> None:
    sub.max_levels = {"violence": 2}
    sub.save()
    title = tagged_title("Heat", {"genre": ["crime"], "tone": ["dark"], "violence": 1})
    tagged_title("Too Violent", {"genre": ["crime"], "tone": ["dark"], "violence": 5})
    tagged_title("Mild Crime", {"genre": ["crime"], "tone": ["dark"], "violence": 1})
    html = (
        _client(subscriber_user)
        .get(reverse("recommendations:title", args=[title.pk]))
        .content.decode()
    )
    assert "Mild Crime" in html
    assert "Too Violent" not in html


def test_history_lists_own_events_newest_first(
    make_user: Callable[..., Any], subscriber_user: Any, sub: Subscriber
) -> None:
    from recommendations.services.feedback import feedback_record

    first, second = (
        tagged_title("First Seen", safe_values()),
        tagged_title("Then Liked", safe_values()),
    )
    feedback_record(subscriber=sub, title=first, event="watched")
    feedback_record(subscriber=sub, title=second, event="liked")
    other = subscriber_for_user(user=make_user(Role.SUBSCRIBER))
    feedback_record(subscriber=other, title=tagged_title("Not Mine", safe_values()), event="liked")
    html = _client(subscriber_user).get(reverse("recommendations:history")).content.decode()
    assert html.index("Then Liked") < html.index("First Seen")
    assert "Not Mine" not in html


def test_a_french_browser_gets_the_page_in_french(subscriber_user: Any, sub: Subscriber) -> None:
    list_write(sub, [tagged_title("Amélie", safe_values())], rows=[("Top", [])])
    response = _client(subscriber_user).get(
        reverse("recommendations:home"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Pour vous" in html
    assert "Historique" in html
    assert "Limites d’âge" in html
    assert "For you" not in html


def test_a_title_retagged_above_the_limit_disappears_before_the_rebuild(
    subscriber_user: Any, sub: Subscriber
) -> None:
    from catalog.services import canonical_tags_set

    sub.max_levels = {"violence": 2}
    sub.save()
    title = tagged_title("Soon Violent", safe_values(violence=1))
    list_write(sub, [title, tagged_title("Stays", safe_values())])
    client = _client(subscriber_user)
    assert "Soon Violent" in client.get(reverse("recommendations:home")).content.decode()
    canonical_tags_set(title=title, values=safe_values(violence=5), source="adjudicated")
    html = client.get(reverse("recommendations:home")).content.decode()
    assert "Soon Violent" not in html
    assert "Stays" in html


def test_home_reads_a_precomputed_list_in_a_fixed_number_of_queries(
    subscriber_user: Any, sub: Subscriber, django_assert_max_num_queries: Any
) -> None:
    titles = [tagged_title(f"Pick {i}", safe_values()) for i in range(50)]
    list_write(sub, titles, rows=[(f"Row {r}", titles[r * 10 : r * 10 + 10]) for r in range(5)])
    client = _client(subscriber_user)
    # session, user, roles, subscriber, list state, list, titles, hiding feedback, and the
    # tag labels (tags, dimensions) once per language and taxonomy version
    with django_assert_max_num_queries(10):
        assert client.get(reverse("recommendations:home")).status_code == 200
    # Same list state: the rendered rows are reused, only the one state query runs.
    with django_assert_max_num_queries(5):
        assert "Pick 49" in client.get(reverse("recommendations:home")).content.decode()
    # A new list: rendered again, the labels come from the cache.
    list_write(sub, titles[:10], generated_at=timezone.now() + timedelta(seconds=1))
    with django_assert_max_num_queries(8):
        html = client.get(reverse("recommendations:home")).content.decode()
    assert "Pick 9" in html
    assert "Pick 49" not in html


def test_history_pages_through_htmx_with_the_partial_only(
    subscriber_user: Any, sub: Subscriber
) -> None:
    from recommendations.services.feedback import feedback_record

    title = tagged_title("Seen", safe_values())
    for _ in range(3):
        feedback_record(subscriber=sub, title=title, event="watched")
    response = _client(subscriber_user).get(
        reverse("recommendations:history"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="events"' in html
    assert "<html" not in html


def test_unknown_title_is_404(subscriber_user: Any, sub: Subscriber) -> None:
    client = _client(subscriber_user)
    assert client.get(reverse("recommendations:title", args=[999999])).status_code == 404
    assert (
        client.post(
            reverse("recommendations:feedback", args=[999999]), {"feedback": "like"}
        ).status_code
        == 404
    )


def test_feedback_on_the_title_page_keeps_the_full_buttons_and_starts_the_poll(
    subscriber_user: Any, sub: Subscriber
) -> None:
    title = tagged_title("Heat", safe_values())
    rec = list_write(sub, [title])
    response = _client(subscriber_user).post(
        reverse("recommendations:feedback", args=[title.pk]),
        {"feedback": "like", "view": "title"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'class="fb-scope title-actions"' in html
    assert 'aria-pressed="true"' in html
    assert 'hx-swap-oob="true"' in html
    assert f"since={rec.generated_at.isoformat()}".replace("+", "%2B").replace(":", "%3A") in html
