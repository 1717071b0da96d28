"""Who tags what: editors' assignments (one by one or in bulk with an overlap) and the tagger's
atomic "next title" claim.

The pool claim is the one place where many taggers race for the same rows. It must never give
a title more taggers than its overlap, so the claim is a *conditional write*: an
``INSERT … SELECT … WHERE (count of the title's assignments) < overlap`` that changes exactly
one row for the winner and none for everybody else.

Each title's number of taggers is kept in its ``TitleCoverage`` row (by database triggers), so
finding titles short of their overlap is an index read at any history size.

- SQLite: every transaction is ``BEGIN IMMEDIATE`` (settings), so writers are serialised and the
  count the INSERT reads is exact.
- PostgreSQL (READ COMMITTED): two INSERTs could both read the old count, so the claim locks the
  title's coverage row (``FOR UPDATE SKIP LOCKED``, in the same statement as the INSERT):
  concurrent claimers skip a title another claimer holds and take the next one instead of
  queueing behind it, and a row filled meanwhile is re-checked at its latest version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, has_role
from catalog.models import Title

from ..models import Assignment, TitleCoverage
from . import assignment_reads

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOT_A_TAGGER = _("%(name)s is not a tagger.")
ALREADY_ASSIGNED = _("%(title)s is already assigned to %(name)s.")
OVERLAP_TOO_SMALL = _("The overlap must be at least 1.")
OVERLAP_TOO_LARGE = _(
    "An overlap of %(overlap)s needs at least %(overlap)s taggers; %(count)s given."
)
NO_TAGGERS = _("Choose at least one tagger.")

#: Statuses in which an assignment still asks something of its tagger.
OPEN_STATUSES = (Assignment.Status.NEW, Assignment.Status.DRAFT, Assignment.Status.RETURNED)
#: How many pool candidates ``pool_candidates`` proposes by default.
_CLAIM_CANDIDATES = 8
#: Claim attempts before a claim reports no work (only under extreme contention).
_CLAIM_ROUNDS = 5


def _check_tagger(user: User) -> None:
    if not has_role(user, Role.TAGGER):
        raise ValidationError({"tagger": [NOT_A_TAGGER % {"name": user.get_username()}]})


@transaction.atomic
def assignment_create(
    *,
    title: Title,
    tagger: User,
    assigned_by: User | None,
    due_date: date | None = None,
    priority: int = 0,
    is_calibration: bool = False,
) -> Assignment:
    """Assign one title to one tagger; a second assignment of the same pair is refused."""
    _check_tagger(tagger)
    if Assignment.objects.filter(title=title, tagger=tagger).exists():
        raise ValidationError(
            {"title": [ALREADY_ASSIGNED % {"title": title, "name": tagger.get_username()}]}
        )
    assignment = Assignment(
        title=title,
        tagger=tagger,
        assigned_by=assigned_by,
        due_date=due_date,
        priority=priority,
        is_calibration=is_calibration,
        source=Assignment.Source.ASSIGNED,
    )
    assignment.full_clean(exclude=["title", "tagger", "assigned_by"])
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # a concurrent request assigned the same pair first
        raise ValidationError(
            {"title": [ALREADY_ASSIGNED % {"title": title, "name": tagger.get_username()}]}
        ) from exc
    return assignment


@transaction.atomic
def assignments_bulk_create(
    *,
    titles: Sequence[Title],
    taggers: Sequence[User],
    overlap: int,
    assigned_by: User | None,
    due_date: date | None = None,
    priority: int = 0,
    is_calibration: bool = False,
) -> list[Assignment]:
    """Give every title ``overlap`` taggers in total, balanced across ``taggers``.

    Existing assignments of a title (by anyone, including pool claims) count toward its overlap
    and existing (title, tagger) pairs are skipped, so running the same plan twice creates
    nothing the second time. Each new pair goes to the eligible tagger with the fewest open
    assignments so far (ties broken by the order of ``taggers``), so the load stays even.
    Returns the assignments created.
    """
    if overlap < 1:
        raise ValidationError({"overlap": [OVERLAP_TOO_SMALL]})
    unique_taggers = list({t.pk: t for t in taggers}.values())
    if not unique_taggers:
        raise ValidationError({"taggers": [NO_TAGGERS]})
    if overlap > len(unique_taggers):
        raise ValidationError(
            {"overlap": [OVERLAP_TOO_LARGE % {"overlap": overlap, "count": len(unique_taggers)}]}
        )
    for user in unique_taggers:
        _check_tagger(user)
    title_ids = list(dict.fromkeys(t.pk for t in titles))
    existing: dict[int, set[int]] = {pk: set() for pk in title_ids}
    for title_id, tagger_id in Assignment.objects.filter(title_id__in=title_ids).values_list(
        "title_id", "tagger_id"
    ):
        existing[title_id].add(tagger_id)
    load: dict[int, int] = dict.fromkeys((t.pk for t in unique_taggers), 0)
    for row in (
        Assignment.objects.filter(tagger_id__in=load, status__in=OPEN_STATUSES)
        .values("tagger_id")
        .annotate(n=Count("id"))
    ):
        load[row["tagger_id"]] = row["n"]
    rank = {t.pk: i for i, t in enumerate(unique_taggers)}
    new: list[Assignment] = []
    for title_id in title_ids:
        have = existing[title_id]
        missing = overlap - len(have)
        if missing <= 0:
            continue
        eligible = sorted(
            (pk for pk in load if pk not in have), key=lambda pk: (load[pk], rank[pk])
        )
        for tagger_id in eligible[:missing]:
            load[tagger_id] += 1
            new.append(
                Assignment(
                    title_id=title_id,
                    tagger_id=tagger_id,
                    assigned_by=assigned_by,
                    due_date=due_date,
                    priority=priority,
                    is_calibration=is_calibration,
                    source=Assignment.Source.ASSIGNED,
                )
            )
    if not new:
        return []
    # ignore_conflicts: a pair claimed from the pool meanwhile is simply not created twice.
    Assignment.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    wanted = {(a.title_id, a.tagger_id) for a in new}
    created = Assignment.objects.filter(
        title_id__in={t for t, _ in wanted}, tagger_id__in={u for _, u in wanted}
    ).select_related("title", "tagger")
    return [a for a in created if (a.title_id, a.tagger_id) in wanted]


def assignment_queue(*, tagger: User) -> QuerySet[Assignment]:
    """The tagger's open assignments in the order they should be worked on."""
    return (
        Assignment.objects.filter(tagger=tagger, status__in=OPEN_STATUSES)
        .select_related("title")
        .order_by("-priority", Coalesce("due_date", date.max), "id")
    )


def pool_candidates(
    *, tagger: User, overlap: int, limit: int = _CLAIM_CANDIDATES
) -> tuple[list[int], list[int]]:
    """Up to ``limit`` ids of titles still short of ``overlap`` taggers that ``tagger`` does not
    already have, as (titles already started, untouched titles in catalogue order): started ones
    go first so pairs complete and agreement can be measured early. A plain read, outside any
    transaction: the conditional write decides; this only proposes. (One SQL statement.)"""
    return assignment_reads.pool_candidates(tagger=tagger, overlap=overlap, limit=limit)


def _claim_sql() -> str:
    table = Assignment._meta.db_table
    return (
        f"INSERT INTO {table} (title_id, tagger_id, status, source, priority, is_calibration, "  # noqa: S608
        "created_at, updated_at) "
        "SELECT %s, %s, %s, %s, 0, %s, %s, %s "
        f"WHERE (SELECT taggers FROM {TitleCoverage._meta.db_table} WHERE title_id = %s) < %s "
        f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE title_id = %s AND tagger_id = %s)"
    )


def _claim(*, title_id: int, tagger: User, overlap: int) -> bool:
    """The conditional write: True when this call created the assignment (exactly one winner
    under SQLite's single write lock)."""
    now = timezone.now()
    params: list[int | str | bool | datetime] = [
        title_id,
        tagger.pk,
        Assignment.Status.NEW,
        Assignment.Source.POOL,
        False,
        now,
        now,
        title_id,
        overlap,
        title_id,
        tagger.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), params)
        return cursor.rowcount == 1


def _claim_serialised(*, tagger: User, overlap: int) -> Assignment | None:
    """SQLite: read the first candidate and claim it inside one IMMEDIATE transaction — it
    holds the database's only write lock, so nobody can fill the title in between."""
    with transaction.atomic():
        started, untouched = pool_candidates(tagger=tagger, overlap=overlap, limit=1)
        candidates = started or untouched
        if not candidates or not _claim(title_id=candidates[0], tagger=tagger, overlap=overlap):
            return None
    return assignment_reads.claimed(tagger=tagger, title_id=candidates[0])


def _claim_pool(*, tagger: User, overlap: int) -> Assignment | None:
    """One title claimed from the pool for ``tagger``, or None when the pool has none left."""
    if not connection.features.has_select_for_update_skip_locked:
        return _claim_serialised(tagger=tagger, overlap=overlap)
    for round_ in range(_CLAIM_ROUNDS):
        # The last round queues for a held title rather than report "no work" wrongly.
        wait = round_ == _CLAIM_ROUNDS - 1
        claimed = assignment_reads.claim_first(tagger=tagger, overlap=overlap, wait=wait)
        if claimed is not None:
            return claimed
        # Nothing claimed: every title short of the overlap was being claimed or filled by
        # others this instant — or there is none left, which a plain read tells.
        started, untouched = pool_candidates(tagger=tagger, overlap=overlap, limit=1)
        if not started and not untouched:
            return None
    return None


def assignment_next(*, tagger: User, overlap: int | None = None) -> Assignment | None:
    """The next title for ``tagger``: the first open assignment of their own queue, else one
    claimed from the pool (titles short of their overlap, started ones first), else None when
    there is no work.

    Atomic under any number of concurrent callers: a pool title never gets more than
    ``overlap`` assignments. On PostgreSQL the claim is one statement that locks the title's
    coverage row, skipping rows other claimers hold, so twenty taggers pressing the button at
    once take twenty different titles without waiting for each other; on SQLite it is one
    short IMMEDIATE transaction.
    """
    overlap = settings.TAGGING_OVERLAP if overlap is None else overlap
    # assignment_queue(tagger=tagger).first(), with its title and tagging, in one statement.
    own = assignment_reads.queue_first(tagger=tagger, statuses=OPEN_STATUSES)
    if own is not None:
        return own
    return _claim_pool(tagger=tagger, overlap=overlap)
