"""Reasons and row names are stored as codes and worded when read, in the reader's language."""

from __future__ import annotations

import csv
from collections.abc import Callable
from importlib import import_module
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from catalog.models import Tag
from recommendations.models import Subscriber
from recommendations.rendering import list_decode

from .subscriber_helpers import coded_list_write, safe_values, tagged_title

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/recommendations/"
EN_REASON = "Irreverent, quirky comedy — like Fargo, which you rated 5★"
FR_REASON = "Comédie (irrévérencieux, décalé) — comme Fargo, que vous avez noté 5★"


def _tag(dimension: str, slug: str) -> int:
    return Tag.objects.get(dimension__slug=dimension, slug=slug).pk


@pytest.fixture
def coded(sub: Subscriber) -> dict[str, Any]:
    comedy, irreverent, quirky = (
        _tag("genre", "comedy"),
        _tag("tone", "irreverent"),
        _tag("tone", "quirky"),
    )
    fargo = tagged_title("Fargo", safe_values())
    a, b, c, d = (tagged_title(n, safe_values()) for n in ("Alpha", "Beta", "Gamma", "Delta"))
    coded_list_write(
        sub,
        [
            (a, (comedy, irreverent, quirky, fargo, 10)),
            (b, (comedy, irreverent, 0, fargo, 20)),
            (c, (comedy, 0, 0, None, 0)),
            (d, (0, 0, 0, None, 0)),
        ],
        rows=[
            ("top", 0, 0, None, [0]),
            ("micro", comedy, irreverent, None, [1, 2]),
            ("genre", comedy, 0, None, [2]),
            ("because", 0, 0, fargo, [3]),
        ],
    )
    return {"titles": (a, b, c, d), "fargo": fargo, "comedy": comedy}


def _page(user: Any, language: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("recommendations:home"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_home_words_reasons_and_rows_in_english(subscriber_user: Any, coded: Any) -> None:
    html = _page(subscriber_user, "en")
    assert EN_REASON in html
    assert "Irreverent comedy — like Fargo, which you liked" in html
    assert "Comedy — close to what you enjoy" in html
    assert "Popular with viewers who share your taste" in html
    assert "Top picks for you" in html
    assert "Irreverent comedies" in html
    assert "Comedy picks" not in html  # its only title is already in the row above
    assert "Because you watched Fargo" in html


def test_home_words_reasons_and_rows_in_french(subscriber_user: Any, coded: Any) -> None:
    html = _page(subscriber_user, "fr")
    assert FR_REASON in html
    assert "Comédie (irrévérencieux) — comme Fargo, que vous avez aimé" in html
    assert "Comédie — proche de ce que vous aimez" in html
    assert "Nos meilleures suggestions pour vous" in html
    assert "Comédie (irrévérencieux)</h2>" in html
    assert "Parce que vous avez regardé Fargo" in html
    assert "like Fargo" not in html
    assert "Irreverent" not in html


def test_api_follows_accept_language_with_the_documented_shape(
    subscriber_user: Any, coded: Any, api_client_for: Callable[..., Any]
) -> None:
    client = api_client_for(subscriber_user)
    # Same list state, two languages: each gets its own cached body.
    english = client.get(ME, HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.get(ME, HTTP_ACCEPT_LANGUAGE="fr").json()
    again = client.get(ME).json()
    assert english["items"][0]["reason"] == EN_REASON
    assert again == english
    assert french["items"][0]["reason"] == FR_REASON
    assert set(french["items"][0]) == {"rank", "score", "reason", "title"}
    assert french["items"][0]["score"] == 1.0
    assert french["items"][0]["title"]["title"] == "Alpha"
    assert [r["name"] for r in english["rows"]] == [
        "Top picks for you",
        "Irreverent comedies",
        "Because you watched Fargo",
    ]
    assert [r["name"] for r in french["rows"]] == [
        "Nos meilleures suggestions pour vous",
        "Comédie (irrévérencieux)",
        "Parce que vous avez regardé Fargo",
    ]
    assert [i["title"]["title"] for i in french["rows"][1]["items"]] == ["Beta", "Gamma"]


def test_staff_endpoint_is_worded_in_the_readers_language(
    editor: Any, sub: Subscriber, coded: Any, api_client_for: Callable[..., Any]
) -> None:
    url = f"/api/v1/subscribers/{sub.pk}/recommendations/"
    body = api_client_for(editor).get(url, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body["items"][0]["reason"] == FR_REASON


def test_a_relabelled_tag_shows_at_once_without_a_rebuild(
    subscriber_user: Any, editor: Any, coded: Any
) -> None:
    from tagging.services.taxonomy import tag_edit

    assert EN_REASON in _page(subscriber_user, "en")
    tag = Tag.objects.get(pk=coded["comedy"])
    tag_edit(tag=tag, editor=editor, label="Farce", definition=tag.definition)
    html = _page(subscriber_user, "en")
    assert "Irreverent, quirky farce — like Fargo, which you rated 5★" in html
    assert "Irreverent farces" in html


def test_title_page_words_its_reason_in_the_readers_language(
    subscriber_user: Any, coded: Any
) -> None:
    client = Client()
    client.force_login(subscriber_user)
    url = reverse("recommendations:title", args=[coded["titles"][0].pk])
    assert FR_REASON in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert EN_REASON in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_export_words_reasons_in_english_or_the_language_asked(
    sub: Subscriber, coded: Any, tmp_path: Any
) -> None:
    target = tmp_path / "out.csv"
    call_command("export_recommendations", str(target), stdout=StringIO())
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["reason"] for r in rows][:1] == [EN_REASON]
    assert rows[0]["score"] == "1.0000"
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    call_command("export_recommendations", str(target), "--language", "fr", stdout=StringIO())
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows[0]["reason"] == FR_REASON


def test_the_migration_packs_json_code_lists_and_skips_malformed_rows() -> None:
    packed = import_module("recommendations.migrations.0004_list_packed")._packed
    items, rows = list_decode(
        packed(
            {"t": [5, 6], "s": [9000, 8000], "g": [1]},  # a short column reads as "no code"
            {"k": ["top", "micro"], "g": [0, 1], "a": [0, 2], "h": [0, 0], "i": [[0, 9], [1]]},
        )
    )
    assert [(i.title_id, i.score, i.codes) for i in items] == [
        (5, 0.9, (0, 0, 0, 0, 0)),
        (6, 0.8, (0, 0, 0, 0, 0)),
    ]
    assert [(r.kind, r.codes, r.title_ids) for r in rows] == [
        ("top", (0, 0, 0), [5]),
        ("micro", (1, 2, 0), [6]),
    ]
    # A list still worded in English (before codes) is left to the full rebuild.
    assert packed([{"title_id": 5, "score": 1, "reason": "Old"}], []) is None
