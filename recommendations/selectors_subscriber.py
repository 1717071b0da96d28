"""Reads behind the subscriber pages and API.

Everything here reads the precomputed ``RecommendationList``: a page request never runs the
engine. The only work done at read time is a filter against the subscriber's *current*
maturity limits and feedback, so a just-tightened limit or a "not interested" applies at once,
before the worker has rebuilt the list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from catalog.models import (
    CanonicalTags,
    CanonicalTagsRevision,
    Dimension,
    Tag,
    TaxonomyChange,
    Title,
)

from .models import RecommendationList, Subscriber, ViewingEvent
from .rendering import anchor_ids, item_reason, list_decode, list_items, renderer_for, row_name

#: Feedback that removes a title from what the subscriber sees, even before the rebuild.
HIDING_EVENTS = (ViewingEvent.Event.NOT_INTERESTED, ViewingEvent.Event.DISLIKED)
SIMILAR_LIMIT = 12
SIMILAR_CANDIDATES = 400


# --- the subscriber row --------------------------------------------------------------------


def subscriber_for_user(*, user: Any) -> Subscriber | None:
    """The ``Subscriber`` of a user holding the subscriber role, created on first use.

    Accounts made by ``add_user`` or ``import_history`` may not have one yet; creating it here
    (idempotently, race-safe) keeps every subscriber page and endpoint working for them.
    """
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.SUBSCRIBER):
        return None
    cached = getattr(user, "_tagline_subscriber", None)
    if cached is not None:
        return cached
    subscriber = Subscriber.objects.filter(user=user).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(user=user)
        except IntegrityError:  # a concurrent request created it first
            subscriber = Subscriber.objects.get(user=user)
    subscriber.user = user  # spares a query wherever the username is shown
    user._tagline_subscriber = subscriber
    return subscriber


# --- suggestions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    rank: int
    score: float
    reason: str
    title: Title

    @property
    def runtime(self) -> str:
        return runtime_display(self.title.runtime_minutes)

    @property
    def hue(self) -> int:
        """A stable colour for the generated title card (no image needed)."""
        return (self.title.pk * 47) % 360


@dataclass(frozen=True)
class Row:
    name: str
    cards: list[Card]


@dataclass(frozen=True)
class Suggestions:
    subscriber: Subscriber
    generated_at: datetime | None
    tags_version: int
    cards: list[Card] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    hidden: int = 0

    @property
    def pending(self) -> bool:
        """No list has been built yet for this subscriber."""
        return self.generated_at is None

    @property
    def stamp(self) -> str:
        """What the "is my list rebuilt yet" poll compares."""
        return list_stamp(self.generated_at)


@dataclass(frozen=True)
class ListState:
    """What the rendered rows depend on: the list version, the limits, the newest hiding
    feedback, the tags and taxonomy versions (labels are read at render time). One query, so a
    page can reuse rows rendered for the same state and language."""

    subscriber_id: int
    generated_at: datetime | None
    limits: dict[str, int]
    hidden_watermark: int
    tags_version: int
    taxonomy_version: int = 0

    @property
    def pending(self) -> bool:
        return self.generated_at is None

    @property
    def stamp(self) -> str:
        return list_stamp(self.generated_at)

    def cache_key(self, *, language: str) -> str:
        limits = ",".join(f"{k}={v}" for k, v in sorted(self.limits.items()))
        return (
            f"tagline:for-you:{self.subscriber_id}:{self.stamp}:{limits}:{self.hidden_watermark}:"
            f"{self.tags_version}:{self.taxonomy_version}:{language}"
        )


def _state_sql(where: str) -> str:
    """One statement, four indexed subqueries: the list's version, the newest hiding feedback,
    the catalogue's tags and taxonomy versions (``catalog.selectors.tags_version`` /
    ``taxonomy_version``), beside the subscriber's id and limits. Plain SQL: building and
    compiling the equivalent queryset cost more than running it, on every page view."""
    table = {m.__name__: m._meta.db_table for m in (Subscriber, RecommendationList, ViewingEvent)}
    events = ", ".join(f"'{e.value}'" for e in HIDING_EVENTS)
    return (
        f"SELECT s.id, s.max_levels, "  # noqa: S608 - table names and constants only
        f"(SELECT r.generated_at FROM {table['RecommendationList']} r "
        f"WHERE r.subscriber_id = s.id), "
        f"(SELECT MAX(e.id) FROM {table['ViewingEvent']} e "
        f"WHERE e.subscriber_id = s.id AND e.event IN ({events})), "
        f"(SELECT MAX(id) FROM {CanonicalTagsRevision._meta.db_table}), "
        f"(SELECT MAX(id) FROM {TaxonomyChange._meta.db_table}) "
        f"FROM {table['Subscriber']} s WHERE s.{where} = %s"
    )


_STATE_BY_ID = _state_sql("id")
_STATE_BY_USER = _state_sql("user_id")


def _state_row(sql: str, key: int) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row


def _state_from_row(row: tuple[Any, ...]) -> tuple[int, dict[str, Any], ListState]:
    pk, raw_levels, generated_at, hidden, tags_at, taxonomy_at = row
    # JSON text (SQLite, and Django's psycopg setup for jsonb) or already decoded.
    levels = json.loads(raw_levels) if isinstance(raw_levels, str | bytes) else raw_levels
    if isinstance(generated_at, str):  # SQLite: naive UTC text, as the ORM would convert it
        generated_at = parse_datetime(generated_at)
    if generated_at is not None and timezone.is_naive(generated_at):
        generated_at = generated_at.replace(tzinfo=UTC)
    levels = levels if isinstance(levels, dict) else {}
    state = ListState(
        subscriber_id=pk,
        generated_at=generated_at,
        limits={
            str(slug): int(level)
            for slug, level in levels.items()
            if isinstance(level, int) and not isinstance(level, bool)
        },
        hidden_watermark=hidden or 0,
        # A retagged title may now exceed the limits: new rows before the rebuild lands.
        tags_version=tags_at or 0,
        # Reasons are worded from the current labels: a relabelled tag shows at once.
        taxonomy_version=taxonomy_at or 0,
    )
    return pk, levels, state


def list_state(*, subscriber: Subscriber) -> ListState:
    """What the subscriber's rendered list depends on, in one query (see ``_state_sql``); also
    refreshes ``subscriber.max_levels`` from the row."""
    row = _state_row(_STATE_BY_ID, subscriber.pk)
    if row is None:
        raise Subscriber.DoesNotExist
    _pk, subscriber.max_levels, state = _state_from_row(row)
    return state


def subscriber_state(*, user: Any) -> tuple[Subscriber, ListState] | None:
    """The user's ``Subscriber`` and its list state in one query (the hot path of the home
    page and the API); ``None`` for users without the subscriber role."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.SUBSCRIBER):
        return None
    row = _state_row(_STATE_BY_USER, user.pk)
    if row is None:  # first visit of an account made elsewhere: create the row
        subscriber = subscriber_for_user(user=user)
        assert subscriber is not None
        return subscriber, list_state(subscriber=subscriber)
    pk, levels, state = _state_from_row(row)
    subscriber = Subscriber(pk=pk, user_id=user.pk, max_levels=levels)
    subscriber.user = user
    user._tagline_subscriber = subscriber
    return subscriber, state


def list_stamp(generated_at: datetime | None) -> str:
    return generated_at.isoformat() if generated_at else "none"


def list_generated_at(*, subscriber: Subscriber) -> datetime | None:
    """One indexed lookup: cheap enough to poll every second."""
    return (
        RecommendationList.objects.filter(subscriber=subscriber)
        .values_list("generated_at", flat=True)
        .first()
    )


def runtime_display(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    return (
        _("%(h)d h %(m)02d min") % {"h": hours, "m": rest} if rest else _("%(h)d h") % {"h": hours}
    )


def maturity_limits(*, subscriber: Subscriber) -> dict[str, int]:
    """The subscriber's caps, restricted to well-formed integer levels."""
    return {
        str(slug): int(level)
        for slug, level in (subscriber.max_levels or {}).items()
        if isinstance(level, int) and not isinstance(level, bool)
    }


def title_allowed(values: dict[str, Any] | None, limits: dict[str, int]) -> bool:
    """Fail safe: a title whose level for a limited dimension is unknown is not allowed."""
    values = values or {}
    for slug, cap in limits.items():
        level = values.get(slug)
        if not isinstance(level, int) or isinstance(level, bool) or level > cap:
            return False
    return True


def suggestions_for(
    *, subscriber: Subscriber, language: str | None = None, taxonomy_version: int | None = None
) -> Suggestions:
    """The subscriber's precomputed list, filtered against current limits and feedback, its
    reasons and row names worded in ``language`` (default: the active one).

    Three queries: the list row, its titles and anchors (with canonical tags), and the hiding
    feedback (plus the tag labels once per language and taxonomy version; pass the version
    when it is known, e.g. from ``list_state``, to spare its lookup).
    """
    rec = (
        RecommendationList.objects.filter(subscriber=subscriber)
        .only("packed", "generated_at", "tags_version")
        .first()
    )
    if rec is None:
        return Suggestions(subscriber=subscriber, generated_at=None, tags_version=0)
    items, stored_rows = list_decode(rec.packed)
    listed = {item.title_id for item in items}
    for stored_row in stored_rows:
        listed.update(stored_row.title_ids)
    titles = _titles_with_tags(listed | anchor_ids(items, stored_rows))
    renderer = renderer_for(
        names={pk: title.title for pk, title in titles.items()},
        language=language,
        taxonomy_version=taxonomy_version,
    )
    limits = maturity_limits(subscriber=subscriber)
    hidden_ids = set(
        ViewingEvent.objects.filter(
            subscriber=subscriber, event__in=HIDING_EVENTS, title_id__in=listed
        ).values_list("title_id", flat=True)
    )
    cards: list[Card] = []
    by_id: dict[int, Card] = {}
    for item in items:
        title = titles.get(item.title_id)
        if (
            title is None
            or title.pk in by_id
            or title.pk in hidden_ids
            or not title_allowed(_canonical_values(title), limits)
        ):
            continue
        card = Card(
            rank=len(cards) + 1,
            score=item.score,
            reason=item_reason(renderer, item),
            title=title,
        )
        cards.append(card)
        by_id[title.pk] = card
    rows: list[Row] = []
    shown: set[int] = set()  # a title appears in one row only, the first that names it
    names: set[str] = set()  # two codes may word the same (equal labels): the first row wins
    for stored_row in stored_rows:
        name = row_name(renderer, stored_row)
        if not name or name in names:
            continue
        row_cards = []
        for pk in stored_row.title_ids:
            named = by_id.get(pk)
            if named is not None and pk not in shown:
                shown.add(pk)
                row_cards.append(named)
        if row_cards:
            rows.append(Row(name=name, cards=row_cards))
            names.add(name)
    return Suggestions(
        subscriber=subscriber,
        generated_at=rec.generated_at,
        tags_version=rec.tags_version,
        cards=cards,
        rows=rows,
        hidden=len(items) - len(cards),
    )


def reason_for_title(*, subscriber: Subscriber, title: Title) -> str:
    """Why ``title`` is in the subscriber's list ("" when it is not), in the active language."""
    rec = (
        RecommendationList.objects.filter(subscriber=subscriber)
        .values_list("packed", flat=True)
        .first()
    )
    items = list_items(rec)
    item = next((i for i in items if i.title_id == title.pk), None)
    if item is None:
        return ""
    anchor = item.codes[3]
    names = dict(Title.objects.filter(pk=anchor).values_list("pk", "title")) if anchor else {}
    return item_reason(renderer_for(names=names), item)


def _titles_with_tags(ids: set[int]) -> dict[int, Title]:
    if not ids:
        return {}
    titles = (
        Title.objects.filter(pk__in=ids)
        .select_related("canonical")
        .only(
            "id",
            "external_id",
            "title",
            "year",
            "runtime_minutes",
            "poster_url",
            "kind",
            "synopsis",
            "canonical__values",
        )
    )
    return {t.pk: t for t in titles}


def _canonical_values(title: Title) -> dict[str, Any]:
    try:
        return title.canonical.values or {}
    except CanonicalTags.DoesNotExist:
        return {}


# --- a title page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TagLabel:
    label: str
    definition: str


@dataclass(frozen=True)
class DimensionTags:
    dimension: Dimension
    tags: list[TagLabel]
    level: int | None = None


def title_get(*, pk: int) -> Title:
    return Title.objects.select_related("canonical").get(pk=pk)


def title_tags_labelled(*, title: Title) -> list[DimensionTags]:
    """The title's canonical tags as labels with their definitions, in form order — never slugs."""
    values = _canonical_values(title)
    if not values:
        return []
    dimensions = Dimension.objects.filter(slug__in=values, active=True).order_by("order", "slug")
    tags = {
        (tag.dimension_id, tag.slug): tag
        for tag in Tag.objects.filter(dimension__in=dimensions).only(
            "dimension_id", "slug", "label", "definition", "translations", "level"
        )
    }
    out: list[DimensionTags] = []
    for dimension in dimensions:
        value = values[dimension.slug]
        labels: list[TagLabel] = []
        level = None
        if dimension.kind == Dimension.Kind.BOOLEAN:
            if not isinstance(value, bool):
                continue
            labels.append(
                TagLabel(label=_("Yes") if value else _("No"), definition=dimension.definition_i18n)
            )
        else:
            if dimension.kind == Dimension.Kind.ORDINAL and isinstance(value, int):
                level = value
            slugs = value if isinstance(value, list) else [value]
            for slug in slugs:
                tag = tags.get((dimension.pk, str(slug)))
                if tag is not None:
                    labels.append(TagLabel(label=tag.label_i18n, definition=tag.definition_i18n))
        if labels:
            out.append(DimensionTags(dimension=dimension, tags=labels, level=level))
    return out


def _tag_features(values: dict[str, Any]) -> set[str]:
    """Select tags and booleans as a set of ``dimension:slug`` features, for overlap."""
    features: set[str] = set()
    for slug, value in values.items():
        if isinstance(value, list):
            features.update(f"{slug}:{v}" for v in value)
        elif isinstance(value, str):
            features.add(f"{slug}:{value}")
        elif value is True:
            features.add(f"{slug}:yes")
    return features


def similar_titles(
    *, title: Title, subscriber: Subscriber | None, limit: int = SIMILAR_LIMIT
) -> list[Title]:
    """Titles whose canonical tags overlap most with ``title`` (Jaccard over select tags),
    within the subscriber's limits and feedback. Bounded: it scores a few hundred candidates
    that share the title's first genre, not the whole catalogue."""
    values = _canonical_values(title)
    features = _tag_features(values)
    if not features:
        return []
    genres = values.get("genre") or []
    candidates: QuerySet[CanonicalTags] = CanonicalTags.objects.exclude(title_id=title.pk)
    if isinstance(genres, list) and genres:
        # The JSON array as text contains the quoted slug; portable across SQLite and PostgreSQL.
        candidates = candidates.filter(values__genre__icontains=f'"{genres[0]}"')
    rows = list(
        candidates.order_by("-updated_at").values_list("title_id", "values")[:SIMILAR_CANDIDATES]
    )
    limits = maturity_limits(subscriber=subscriber) if subscriber else {}
    hidden: set[int] = set()
    if subscriber is not None:
        hidden = set(
            ViewingEvent.objects.filter(subscriber=subscriber, event__in=HIDING_EVENTS).values_list(
                "title_id", flat=True
            )
        )
    scored: list[tuple[float, int]] = []
    for title_id, other in rows:
        if title_id in hidden or not title_allowed(other, limits):
            continue
        theirs = _tag_features(other or {})
        union = len(features | theirs)
        if union:
            score = len(features & theirs) / union
            if score > 0:
                scored.append((score, title_id))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    ids = [title_id for _, title_id in scored[:limit]]
    found = Title.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def title_feedback(*, subscriber: Subscriber | None, title: Title) -> set[str]:
    """Which feedback the subscriber already gave on a title (to show pressed buttons)."""
    if subscriber is None:
        return set()
    return set(
        ViewingEvent.objects.filter(subscriber=subscriber, title=title).values_list(
            "event", flat=True
        )
    )


# --- history -------------------------------------------------------------------------------


def history_list(*, subscriber: Subscriber) -> QuerySet[ViewingEvent]:
    """Newest first, with the title (the (subscriber, timestamp) index serves it)."""
    return (
        ViewingEvent.objects.filter(subscriber=subscriber)
        .select_related("title")
        .order_by("-timestamp", "-id")
    )


# --- editors and operators -----------------------------------------------------------------


def subscriber_get(*, pk: int) -> Subscriber:
    return Subscriber.objects.select_related("user").get(pk=pk)
