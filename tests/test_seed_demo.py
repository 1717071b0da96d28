from __future__ import annotations

import csv
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.roles import Role, has_role
from catalog.models import (
    CanonicalTags,
    CanonicalTagsRevision,
    OutboxEvent,
    Tag,
    TaxonomyChange,
    Title,
)
from catalog.values import values_clean
from recommendations.models import Subscriber, ViewingEvent
from recommendations.services.demo_seed import DATA_DIR, DEMO_PASSWORD
from tagging.models import Assignment, Tagging, TaggingRevision

pytestmark = pytest.mark.django_db

LIMIT = 80
STAFF = ("editor", "operator", "tagger1", "tagger2", "tagger3", "tagger4")


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command(
        "seed_demo", "--limit", str(LIMIT), "--no-progress", *args, stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def snapshot() -> dict[str, int]:
    models = (
        get_user_model(),
        Subscriber,
        Title,
        CanonicalTags,
        CanonicalTagsRevision,
        Tag,
        TaxonomyChange,
        ViewingEvent,
        OutboxEvent,
        Assignment,
        Tagging,
        TaggingRevision,
    )
    return {model.__name__: model.objects.count() for model in models}


def shipped_history_for(external_ids: set[str]) -> int:
    with (DATA_DIR / "history.csv").open(newline="", encoding="utf-8") as handle:
        return sum(1 for row in csv.DictReader(handle) if row["external_id"] in external_ids)


def test_no_demo_account_exists_before_seed_demo():
    assert not get_user_model().objects.filter(username__in=[*STAFF, "viewer1"]).exists()


def test_seed_demo_loads_real_data_accounts_and_a_working_state_and_is_idempotent():
    out = seed()
    assert "Demo logins (password for all: tagline-demo)" in out
    for name in ("editor", "tagger1", "viewer1", "operator"):
        assert f"  {name} " in out

    # Accounts: staff and three viewers can sign in; the other MovieLens viewers cannot.
    users = get_user_model().objects
    for name, role in [
        ("editor", Role.EDITOR),
        ("operator", Role.OPERATOR),
        ("tagger4", Role.TAGGER),
        ("viewer1", Role.SUBSCRIBER),
        ("viewer3", Role.SUBSCRIBER),
    ]:
        user = users.get(username=name)
        assert user.check_password(DEMO_PASSWORD)
        assert has_role(user, role)
    assert users.get(username="operator").is_staff
    others = users.filter(username__startswith="viewer").exclude(
        username__in=["viewer1", "viewer2", "viewer3"]
    )
    assert others.exists()
    assert not any(user.has_usable_password() for user in others)

    # The catalogue and histories are the shipped files (the first LIMIT titles).
    titles = set(Title.objects.values_list("external_id", flat=True))
    assert len(titles) == LIMIT
    assert Title.objects.get(external_id="ml-1").title == "Toy Story"
    assert CanonicalTags.objects.get(title__external_id="ml-1").values["genre"] == [
        "adventure",
        "animation",
        "children",
        "comedy",
        "fantasy",
    ]
    assert ViewingEvent.objects.count() == shipped_history_for(titles)
    assert not ViewingEvent.objects.exclude(
        subscriber__user__username__startswith="viewer"
    ).exists()

    # Working state: 25 titles with 2-3 submitted (simulated) taggings, the rest assigned with
    # overlap 2, some of them drafts; every submitted answer is valid against the codebook.
    submitted = Tagging.objects.filter(status=Tagging.Status.SUBMITTED)
    per_title: dict[int, list[Tagging]] = defaultdict(list)
    for tagging in submitted:
        per_title[tagging.title_id].append(tagging)
        values_clean(tagging.values, require_complete=True)
    assert len(per_title) == 25
    assert {len(group) for group in per_title.values()} == {2, 3}
    disagreements = sum(
        1 for group in per_title.values() if len({str(t.values) for t in group}) > 1
    )
    assert disagreements >= 10  # the editors' disagreement queue has content
    open_assignments = Assignment.objects.exclude(title_id__in=per_title)
    assert open_assignments.count() == 2 * 40  # LIMIT > 65 titles: 40 open titles, overlap 2
    assert set(open_assignments.values_list("status", flat=True)) == {"new", "draft"}
    assert Tagging.objects.filter(status=Tagging.Status.DRAFT).exists()
    assert set(Assignment.objects.values_list("tagger__username", flat=True)) == {
        "tagger1",
        "tagger2",
        "tagger3",
        "tagger4",
    }

    before = snapshot()
    out = seed()
    assert snapshot() == before
    assert f"{LIMIT} unchanged" in out
    assert "0 added" in out
    assert "left as it is" in out


def test_seed_demo_keeps_passwords_people_changed():
    seed()
    editor = get_user_model().objects.get(username="editor")
    editor.set_password("a-new-secret-42")
    editor.save()
    seed()
    editor.refresh_from_db()
    assert editor.check_password("a-new-secret-42")


def test_seed_demo_with_missing_files_fails_with_a_reason(tmp_path: Path):
    with pytest.raises(CommandError, match=r"titles\.csv is missing"):
        call_command("seed_demo", "--data-dir", str(tmp_path), stdout=StringIO())
    assert not get_user_model().objects.exists()
