from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.roles import Role, has_role
from catalog.models import OutboxEvent
from recommendations.models import Subscriber, ViewingEvent
from recommendations.services.history import history_import
from tests.catalog.factories import TitleFactory

pytestmark = pytest.mark.django_db

HEADER = "subscriber,external_id,event,rating,timestamp\n"


@pytest.fixture
def titles() -> None:
    for external_id in ("ml-1", "ml-2", "ml-3"):
        TitleFactory(external_id=external_id)


def write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path) -> str:
    out = StringIO()
    call_command("import_history", str(path), "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def events() -> list[tuple[str, str, str, Decimal | None, datetime]]:
    return sorted(
        ViewingEvent.objects.values_list(
            "subscriber__user__username", "title__external_id", "event", "rating", "timestamp"
        )
    )


def test_good_file_creates_subscriber_accounts_and_events(tmp_path, titles):
    path = write(
        tmp_path,
        HEADER
        + "viewer1,ml-1,rated,4.5,1260759144\n"
        + "viewer1,ml-2,watched,,2016-01-02T10:00:00Z\n"
        + "viewer2,ml-3,liked,,2016-01-02 10:00:00\n"  # naive ISO means UTC
        + "viewer2,ml-1,not_interested,,2016-01-03T12:00:00+02:00\n"
        + "viewer2,ml-2,DISLIKED,1,1451649600.25\n",
    )
    out = run(path)
    assert "Imported 5 events of 2 subscribers (2 new accounts): 5 added, 0 already present" in out
    assert events() == [
        ("viewer1", "ml-1", "rated", Decimal("4.5"), datetime(2009, 12, 14, 2, 52, 24, tzinfo=UTC)),
        ("viewer1", "ml-2", "watched", None, datetime(2016, 1, 2, 10, 0, tzinfo=UTC)),
        ("viewer2", "ml-1", "not_interested", None, datetime(2016, 1, 3, 10, 0, tzinfo=UTC)),
        (
            "viewer2",
            "ml-2",
            "disliked",
            Decimal("1.0"),
            datetime(2016, 1, 1, 12, 0, 0, 250000, tzinfo=UTC),
        ),
        ("viewer2", "ml-3", "liked", None, datetime(2016, 1, 2, 10, 0, tzinfo=UTC)),
    ]
    user = get_user_model().objects.get(username="viewer1")
    assert not user.has_usable_password()
    assert has_role(user, Role.SUBSCRIBER)
    assert not user.is_staff
    assert Subscriber.objects.filter(user=user).exists()


def test_one_outbox_row_per_affected_subscriber_and_reimport_is_a_no_op(tmp_path, titles):
    path = write(
        tmp_path,
        HEADER
        + "viewer1,ml-1,rated,4,1260759144\nviewer1,ml-2,rated,3,1260759145\nviewer2,ml-1,watched,,1260759146\n",
    )
    run(path)
    subscribers = sorted(Subscriber.objects.values_list("id", flat=True))
    assert sorted(OutboxEvent.objects.values_list("kind", "object_id")) == [
        ("subscriber", s) for s in subscribers
    ]

    out = run(path)
    assert "0 added, 3 already present; 0 subscribers' lists queued" in out
    assert ViewingEvent.objects.count() == 3
    assert OutboxEvent.objects.count() == 2
    assert get_user_model().objects.count() == 2

    more = write(
        tmp_path,
        HEADER + "viewer2,ml-3,liked,,1260759999\nviewer1,ml-1,rated,4,1260759144\n",
        "more.csv",
    )
    out = run(more)
    assert "1 added, 1 already present; 1 subscribers' lists queued" in out
    viewer2 = Subscriber.objects.get(user__username="viewer2")
    assert list(OutboxEvent.objects.order_by("-id").values_list("kind", "object_id")[:1]) == [
        ("subscriber", viewer2.pk)
    ]


def test_duplicate_rows_within_a_file_are_stored_once(tmp_path, titles):
    path = write(
        tmp_path, HEADER + "v,ml-1,watched,,1260759144\nv,ml-1,watched,,2009-12-14T02:52:24+00:00\n"
    )
    out = run(path)
    assert "1 added, 1 already present" in out
    assert ViewingEvent.objects.count() == 1


def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_written(tmp_path, titles):
    path = write(
        tmp_path,
        HEADER
        + "viewer1,ml-1,rated,4,1260759144\n"  # 2: fine
        + "viewer1,ml-404,watched,,1260759144\n"  # 3
        + "viewer1,ml-1,binged,,1260759144\n"  # 4
        + "viewer1,ml-1,rated,,1260759144\n"  # 5: rated needs a rating
        + "viewer1,ml-1,rated,7,1260759144\n"  # 6
        + "viewer1,ml-1,liked,4.25,1260759144\n"  # 7
        + "viewer1,ml-1,watched,,yesterday\n"  # 8
        + ",ml-1,watched,,1260759144\n"  # 9
        + "bad name!,ml-1,watched,,1260759144\n"  # 10
        + "viewer1,,watched,,1260759144\n"  # 11
        + "viewer1,ml-404,watched,,99999999999999\n",  # 12: two problems
    )
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_history", str(path), "--no-progress", stdout=StringIO(), stderr=err)
    assert str(info.value).startswith("history.csv: 10 bad rows, nothing was imported: line 3: ")
    message = err.getvalue()  # every bad row; the one-line reason quotes the first ten
    for expected in (
        "line 3: unknown external_id “ml-404”",
        "line 4: bad event “binged”",
        "line 5: a rated event needs a rating",
        "line 6: bad rating “7”",
        "line 7: bad rating “4.25”",
        "line 8: bad timestamp “yesterday”",
        "line 9: missing subscriber",
        "line 10: bad subscriber “bad name!”",
        "line 11: missing external_id",
        "line 12: bad timestamp “99999999999999”",
        "line 12: unknown external_id “ml-404”",
    ):
        assert expected in message
    assert not ViewingEvent.objects.exists()
    assert not get_user_model().objects.exists()
    assert not OutboxEvent.objects.exists()


def test_an_existing_account_without_the_subscriber_role_is_refused(tmp_path, titles, editor):
    path = write(tmp_path, HEADER + f"{editor.username},ml-1,watched,,1260759144\n")
    with pytest.raises(CommandError, match="is an existing account without the subscriber role"):
        run(path)
    assert not Subscriber.objects.exists()


def test_an_existing_subscriber_account_gets_its_subscriber_row_and_keeps_its_password(
    tmp_path, titles, subscriber_user
):
    assert not Subscriber.objects.filter(user=subscriber_user).exists()
    run(write(tmp_path, HEADER + f"{subscriber_user.username},ml-1,watched,,1260759144\n"))
    subscriber_user.refresh_from_db()
    assert subscriber_user.has_usable_password()
    assert ViewingEvent.objects.get().subscriber.user == subscriber_user


def test_the_rating_column_may_be_absent(tmp_path, titles):
    path = write(tmp_path, "subscriber,external_id,event,timestamp\nv,ml-1,watched,1260759144\n")
    assert "1 added" in run(path)


def test_missing_required_columns_reject_the_file(tmp_path):
    with pytest.raises(CommandError, match="lacks the required column"):
        run(write(tmp_path, "subscriber,external_id,rating\nv,ml-1,4\n"))


def test_a_large_history_is_imported_in_bulk(tmp_path):
    for i in range(200):
        TitleFactory(external_id=f"t{i}")
    lines = [
        f"user{u},t{(u * 7 + k) % 200},rated,{1 + (u + k) % 5},{1_400_000_000 + u * 1000 + k}\n"
        for u in range(400)
        for k in range(50)
    ]
    path = write(tmp_path, HEADER + "".join(lines))
    result = history_import(path=path, progress=False)
    assert (
        result.rows,
        result.inserted,
        result.subscribers_created,
        result.subscribers_changed,
    ) == (
        20_000,
        20_000,
        400,
        400,
    )
    assert ViewingEvent.objects.count() == 20_000
    assert OutboxEvent.objects.filter(kind="subscriber").count() == 400
    again = history_import(path=path, progress=False)
    assert (again.inserted, again.already_present, again.subscribers_changed) == (0, 20_000, 0)
