"""``seed_demo``: the shipped demo — real MovieLens catalogue and histories, demo accounts, and a
simulated working state so every role's pages have content at first run.

Idempotent: accounts that exist are left alone (passwords included), the imports change
nothing on a second run, and the working state is created only when the demo taggers have no
assignments yet. No demo account exists unless this ran.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.roles import Role, has_role
from accounts.services import user_create
from catalog.imports import CatalogImportResult, catalog_import
from catalog.models import CanonicalTags, Title
from catalog.values import Codebook
from tagging.models import Assignment, Tagging
from tagging.services.assignments import assignment_create, assignments_bulk_create
from tagging.services.taggings import tagging_create, tagging_submit

from ..models import Subscriber
from .demo_taggings import HABITS, simulated_values
from .history import HistoryImportResult, history_import

DATA_DIR = Path(settings.BASE_DIR) / "data" / "demo"
DEMO_PASSWORD = "tagline-demo"  # noqa: S105 - the published demo password, documented in the README
EDITOR, OPERATOR = "editor", "operator"
TAGGERS = ("tagger1", "tagger2", "tagger3", "tagger4")
#: Viewers who can sign in. All 671 MovieLens users get an account, but hashing a password
#: for each would make the first run slow for no benefit.
VIEWERS_WITH_PASSWORD = ("viewer1", "viewer2", "viewer3")
SUBMITTED_TITLES = 25  # titles with two or three submitted taggings: the disagreement queue
OPEN_TITLES = 40  # titles assigned with overlap 2, some started as drafts: the taggers' queues
OVERLAP = 2


@dataclass
class SeedResult:
    accounts_created: list[str] = field(default_factory=list)
    catalog: CatalogImportResult | None = None
    history: HistoryImportResult | None = None
    working_state_created: bool = False
    assignments: int = 0
    submitted: int = 0
    drafts: int = 0


def demo_seed(
    *,
    data_dir: Path = DATA_DIR,
    limit: int | None = None,
    progress: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> SeedResult:
    """Load the demo. ``limit`` keeps only the first N titles of the catalogue and the history
    rows about them (tests, quick looks)."""
    titles_csv, history_csv = data_dir / "titles.csv", data_dir / "history.csv"
    result = SeedResult()
    with tempfile.TemporaryDirectory(prefix="tagline-seed-") as tmp:
        if limit is not None:
            titles_csv, history_csv = _subset(titles_csv, history_csv, Path(tmp), limit)
        with transaction.atomic():
            log("accounts")
            result.accounts_created = _accounts()
            log(f"catalogue: {titles_csv.name}")
            result.catalog = catalog_import(path=titles_csv, progress=progress)
            log(f"viewing history: {history_csv.name}")
            result.history = history_import(path=history_csv, progress=progress)
            log("working state: assignments and simulated taggings")
            _working_state(result)
    return result


def _subset(titles_csv: Path, history_csv: Path, out: Path, limit: int) -> tuple[Path, Path]:
    kept: set[str] = set()
    small_titles, small_history = out / "titles.csv", out / "history.csv"
    with (
        titles_csv.open(newline="", encoding="utf-8") as src,
        small_titles.open("w", newline="", encoding="utf-8") as dst,
    ):
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader))
        for row in reader:
            if len(kept) >= limit:
                break
            kept.add(row[0])
            writer.writerow(row)
    with (
        history_csv.open(newline="", encoding="utf-8") as src,
        small_history.open("w", newline="", encoding="utf-8") as dst,
    ):
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader))
        writer.writerows(row for row in reader if row[1] in kept)
    return small_titles, small_history


def _accounts() -> list[str]:
    """Create the demo accounts that do not exist; existing ones keep their password."""
    created: list[str] = []
    people = [
        (EDITOR, Role.EDITOR),
        (OPERATOR, Role.OPERATOR),
        *((name, Role.TAGGER) for name in TAGGERS),
    ]
    people += [(name, Role.SUBSCRIBER) for name in VIEWERS_WITH_PASSWORD]
    existing = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=[n for n, _ in people])
    }
    for name, role in people:
        user: Any = existing.get(name)
        if user is None:
            user, _ = user_create(username=name, role=role, password=DEMO_PASSWORD)
            created.append(name)
        elif not has_role(user, role):
            user_create(username=name, role=role, password=None, exist_ok=True)
        if role is Role.SUBSCRIBER:
            Subscriber.objects.get_or_create(user=user)
    return created


def _working_state(result: SeedResult) -> None:
    """Assignments and taggings for the demo taggers, created once (skipped when the taggers
    already have work, whatever they did with it since)."""
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[EDITOR, *TAGGERS])
    }
    taggers = [users[name] for name in TAGGERS]
    if Assignment.objects.filter(tagger__in=taggers).exists():
        return
    editor = users[EDITOR]
    titles = _popular_titles(SUBMITTED_TITLES + OPEN_TITLES)
    if not titles:
        return
    codebook = Codebook.load()
    genres = {
        title_id: values.get("genre") or []
        for title_id, values in CanonicalTags.objects.filter(title__in=titles).values_list(
            "title_id", "values"
        )
    }
    now = timezone.now()
    submitted_titles, open_titles = titles[:SUBMITTED_TITLES], titles[SUBMITTED_TITLES:]

    # Submitted: two or three taggers per title, rotating so every tagger has a share, spread
    # over the last four weeks so the calibration and drift charts have a timeline.
    for index, title in enumerate(submitted_titles):
        count = 3 if index % 3 == 0 else 2
        for offset in range(count):
            position = (index + offset) % len(taggers)
            tagger = taggers[position]
            assignment_create(title=title, tagger=tagger, assigned_by=editor)
            values = simulated_values(
                genres=list(genres.get(title.pk) or []),
                external_id=title.external_id,
                tagger=tagger.get_username(),
                habits=HABITS[position],
                codebook=codebook,
            )
            tagging = tagging_create(tagger=tagger, title=title, values=values, codebook=codebook)
            tagging = tagging_submit(tagging=tagging, user=tagger, codebook=codebook)
            when = now - timedelta(days=28 - index, hours=3 * offset + 1)
            Tagging.objects.filter(pk=tagging.pk).update(
                submitted_at=when,
                created_at=when - timedelta(minutes=25),
                updated_at=when,
                seconds_spent=900 + 60 * ((index * 7 + offset * 13) % 40),
            )
            result.assignments += 1
            result.submitted += 1

    # Open: overlap 2, balanced by the assignment service; every third one is a started draft.
    created = assignments_bulk_create(
        titles=open_titles,
        taggers=taggers,
        overlap=OVERLAP,
        assigned_by=editor,
        due_date=(now + timedelta(days=7)).date(),
    )
    result.assignments += len(created)
    for index, assignment in enumerate(sorted(created, key=lambda a: a.pk)):
        if index % 3:
            continue
        position = TAGGERS.index(assignment.tagger.get_username())
        values = simulated_values(
            genres=list(genres.get(assignment.title_id) or []),
            external_id=assignment.title.external_id,
            tagger=assignment.tagger.get_username(),
            habits=HABITS[position],
            codebook=codebook,
        )
        # A draft is work in progress: the genres and tones are in, the scales still to do.
        draft = {slug: value for slug, value in values.items() if slug in ("genre", "tone")}
        tagging_create(
            tagger=assignment.tagger, title=assignment.title, values=draft, codebook=codebook
        )
        result.drafts += 1
    result.working_state_created = True


def _popular_titles(count: int) -> list[Title]:
    """The most watched titles that have canonical genres: well-known films make the demo
    readable (ties by external id, so the choice is stable)."""
    return list(
        Title.objects.filter(canonical__isnull=False)
        .annotate(views=Count("viewing_events"))
        .filter(views__gt=0)
        .order_by("-views", "external_id")[:count]
    )


def demo_logins() -> list[tuple[str, str]]:
    """(username, what to look at) for the printed summary."""
    return [
        (EDITOR, "editor: disagreement queue, agreement figures, adjudication, taxonomy"),
        (TAGGERS[0], f"tagger: queue and tag form (also {', '.join(TAGGERS[1:])})"),
        (
            VIEWERS_WITH_PASSWORD[0],
            f"subscriber with a real MovieLens history (also {', '.join(VIEWERS_WITH_PASSWORD[1:])})",
        ),
        (OPERATOR, "operator: rebuild queue and list freshness"),
    ]


__all__ = ["DEMO_PASSWORD", "SeedResult", "demo_logins", "demo_seed"]
