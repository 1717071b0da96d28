"""The recommendations API: exact shape, isolation between subscribers, staff access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.roles import Role
from recommendations.models import Subscriber
from recommendations.selectors_subscriber import subscriber_for_user

from .subscriber_helpers import list_write, safe_values, tagged_title

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/recommendations/"


def test_own_list_has_the_documented_shape(
    subscriber_user: Any, sub: Subscriber, api_client_for: Callable[..., Any]
) -> None:
    a, b, c = (tagged_title(n, safe_values()) for n in ("Alpha", "Beta", "Gamma"))
    rec = list_write(
        sub, [a, b, c], rows=[("Irreverent comedies", [b, a]), ("Because you watched Heat", [c])]
    )
    body = api_client_for(subscriber_user).get(ME).json()
    assert set(body) == {"subscriber", "generated_at", "tags_version", "pending", "items", "rows"}
    assert body["subscriber"] == subscriber_user.username
    assert body["generated_at"] == rec.generated_at.isoformat()
    assert body["tags_version"] == 7
    assert body["pending"] is False
    assert [i["rank"] for i in body["items"]] == [1, 2, 3]
    first = body["items"][0]
    assert set(first) == {"rank", "score", "reason", "title"}
    assert first["title"] == {
        "id": a.pk,
        "external_id": a.external_id,
        "title": "Alpha",
        "year": a.year,
    }
    assert first["reason"] == "Irreverent comedy — like Alpha, which you liked"
    assert [r["name"] for r in body["rows"]] == ["Irreverent comedies", "Because you watched Heat"]
    assert [i["title"]["id"] for i in body["rows"][0]["items"]] == [b.pk, a.pk]


def test_no_list_yet_answers_pending(
    subscriber_user: Any, sub: Subscriber, api_client_for: Callable[..., Any]
) -> None:
    response = api_client_for(subscriber_user).get(ME)
    assert response.status_code == 200
    assert response.json() | {"subscriber": None} == {
        "subscriber": None,
        "generated_at": None,
        "tags_version": 0,
        "pending": True,
        "items": [],
        "rows": [],
    }


def test_api_filters_against_current_limits_fail_safe(
    subscriber_user: Any, sub: Subscriber, api_client_for: Callable[..., Any]
) -> None:
    ok = tagged_title("Ok", safe_values(sex=0))
    explicit = tagged_title("Explicit", safe_values(sex=3))
    unknown = tagged_title("Unknown", {"genre": ["drama"], "violence": 0})
    list_write(sub, [explicit, ok, unknown], rows=[("Row", [explicit, ok, unknown])])
    sub.max_levels = {"sex": 1}
    sub.save()
    body = api_client_for(subscriber_user).get(ME).json()
    assert [i["title"]["title"] for i in body["items"]] == ["Ok"]
    assert body["items"][0]["rank"] == 1
    assert [[i["title"]["title"] for i in r["items"]] for r in body["rows"]] == [["Ok"]]


def test_subscriber_reading_anothers_list_gets_404(
    make_user: Callable[..., Any],
    subscriber_user: Any,
    sub: Subscriber,
    api_client_for: Callable[..., Any],
) -> None:
    other = subscriber_for_user(user=make_user(Role.SUBSCRIBER))
    list_write(other, [tagged_title("Secret", safe_values())])
    client = api_client_for(subscriber_user)
    assert client.get(f"/api/v1/subscribers/{other.pk}/recommendations/").status_code == 404
    assert client.get(f"/api/v1/subscribers/{sub.pk}/recommendations/").status_code == 200
    body = client.get(ME).json()
    assert all(i["title"]["title"] != "Secret" for i in body["items"])


@pytest.mark.parametrize("role", [Role.EDITOR, Role.OPERATOR])
def test_editors_and_operators_read_any_list(
    make_user: Callable[..., Any],
    role: Role,
    sub: Subscriber,
    subscriber_user: Any,
    api_client_for: Callable[..., Any],
) -> None:
    list_write(sub, [tagged_title("Shown", safe_values())])
    body = (
        api_client_for(make_user(role)).get(f"/api/v1/subscribers/{sub.pk}/recommendations/").json()
    )
    assert body["subscriber"] == subscriber_user.username
    assert [i["title"]["title"] for i in body["items"]] == ["Shown"]


def test_unknown_subscriber_id_is_404(editor: Any, api_client_for: Callable[..., Any]) -> None:
    assert (
        api_client_for(editor).get("/api/v1/subscribers/999999/recommendations/").status_code == 404
    )


def test_me_endpoints_refuse_non_subscribers(
    tagger: Any, api_client_for: Callable[..., Any]
) -> None:
    client = api_client_for(tagger)
    assert client.get(ME).status_code == 403
    assert (
        client.post(
            "/api/v1/me/feedback/", {"title": 1, "feedback": "like"}, format="json"
        ).status_code
        == 403
    )
    assert client.get("/api/v1/me/profile/").status_code == 403
    assert client.get("/api/v1/subscribers/1/recommendations/").status_code == 404


def test_anonymous_gets_401_or_403(client: Any) -> None:
    assert client.get(ME).status_code in {401, 403}


def test_rows_are_deduplicated_and_empty_rows_dropped(
    subscriber_user: Any, sub: Subscriber, api_client_for: Callable[..., Any]
) -> None:
    a, b, c = (tagged_title(n, safe_values()) for n in ("A", "B", "C"))
    hidden = tagged_title("Over the limit", safe_values(violence=5))
    list_write(
        sub,
        [a, b, c, hidden],
        rows=[("First", [a, b]), ("Second", [b, c]), ("Only hidden", [hidden])],
    )
    sub.max_levels = {"violence": 2}
    sub.save()
    body = api_client_for(subscriber_user).get(ME).json()
    assert [(r["name"], [i["title"]["title"] for i in r["items"]]) for r in body["rows"]] == [
        ("First", ["A", "B"]),
        ("Second", ["C"]),
    ]
