"""Taxonomy management by editors: add, edit (definitions and French translations), rename,
merge (with undo), retire, restore and reorder dimensions and tags.

Every change is one transaction that writes a ``catalog.TaxonomyChange`` (its id is the new
taxonomy version) and a TAXONOMY outbox row, so recommendation lists follow. Renames and merges
remap every tagging, canonical tag and calibration answer that used the old slug; tagging
revisions keep the history as it was. The undo record lists each remapped row with its value
before and after, so an undo restores exactly those rows that still hold the remapped value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    CanonicalTags,
    CanonicalTagsRevision,
    Dimension,
    OutboxEvent,
    Tag,
    TaxonomyChange,
)
from catalog.outbox import outbox_record

from ..models import Tagging
from ..review_models import CalibrationAnswer

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SLUG_TAKEN = _("“%(slug)s” is already used in this dimension.")
DIMENSION_SLUG_TAKEN = _("A dimension “%(slug)s” already exists.")
BAD_SLUG = _("Use lowercase letters, digits and hyphens.")
LABEL_REQUIRED = _("A label is required.")
NO_TAGS = _("%(kind)s dimensions have no tags to rename or merge.")
SAME_TAG = _("Choose two different tags.")
OTHER_DIMENSION = _("Both tags must belong to the same dimension.")
RETIRED_TARGET = _("Merge into an active tag.")
NOT_UNDOABLE = _("Only renames and merges can be undone.")
ALREADY_UNDONE = _("This change was already undone.")
SLUG_TAKEN_UNDO = _("Cannot undo: the slug “%(slug)s” is used again.")
BAD_ORDER = _("The new order must list each tag of the dimension exactly once.")
LEVELS_FIXED = _("Ordinal levels are fixed (0 to 5); edit their definitions instead.")
BAD_KIND = _("Unknown kind.")
ORDINAL_LEVELS = range(6)


def _record(
    *,
    action: str,
    summary: str,
    editor: User | None,
    dimension: Dimension | None,
    undo: dict[str, Any] | None = None,
) -> TaxonomyChange:
    change = TaxonomyChange.objects.create(
        action=action,
        summary=summary[:300],
        dimension=dimension,
        undo=undo or {},
        changed_by=editor,
    )
    outbox_record(kind=OutboxEvent.Kind.TAXONOMY, object_ids=[change.pk])
    return change


def _slug_clean(slug: str, field: str = "slug") -> str:
    clean = slugify(slug or "")
    if not clean or clean != (slug or "").strip():
        raise ValidationError({field: [BAD_SLUG]})
    return clean


def _translations_clean(current: dict[str, Any], french: dict[str, str] | None) -> dict[str, Any]:
    if french is None:
        return current
    out = dict(current)
    fr = {
        k: (v or "").strip() for k, v in french.items() if k in {"label", "definition", "examples"}
    }
    out["fr"] = {k: v for k, v in fr.items() if v}
    if not out["fr"]:
        out.pop("fr")
    return out


# --- create and edit ------------------------------------------------------------------------


@transaction.atomic
def dimension_create(
    *,
    slug: str,
    label: str,
    kind: str,
    editor: User,
    definition: str = "",
    required: bool = False,
    french: dict[str, str] | None = None,
) -> Dimension:
    slug = _slug_clean(slug)
    if kind not in Dimension.Kind.values:
        raise ValidationError({"kind": [BAD_KIND]})
    if not label.strip():
        raise ValidationError({"label": [LABEL_REQUIRED]})
    if Dimension.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": [DIMENSION_SLUG_TAKEN % {"slug": slug}]})
    last = Dimension.objects.order_by("-order").values_list("order", flat=True).first() or 0
    dimension = Dimension.objects.create(
        slug=slug,
        label=label.strip(),
        kind=kind,
        definition=definition.strip(),
        required=required,
        order=last + 1,
        translations=_translations_clean({}, french),
    )
    if kind == Dimension.Kind.ORDINAL:
        Tag.objects.bulk_create(
            Tag(dimension=dimension, slug=str(level), label=str(level), level=level, order=level)
            for level in ORDINAL_LEVELS
        )
    _record(
        action=TaxonomyChange.Action.CREATE,
        summary=f"Added dimension {slug}",
        editor=editor,
        dimension=dimension,
    )
    return dimension


@transaction.atomic
def dimension_edit(
    *,
    dimension: Dimension,
    editor: User,
    label: str,
    definition: str,
    required: bool | None = None,
    french: dict[str, str] | None = None,
) -> Dimension:
    if not label.strip():
        raise ValidationError({"label": [LABEL_REQUIRED]})
    dimension.label, dimension.definition = label.strip(), definition.strip()
    if required is not None:
        dimension.required = required
    dimension.translations = _translations_clean(dimension.translations, french)
    dimension.save(update_fields=["label", "definition", "required", "translations"])
    _record(
        action=TaxonomyChange.Action.EDIT,
        summary=f"Edited dimension {dimension.slug}",
        editor=editor,
        dimension=dimension,
    )
    return dimension


@transaction.atomic
def tag_create(
    *,
    dimension: Dimension,
    slug: str,
    label: str,
    editor: User,
    definition: str = "",
    examples: str = "",
    french: dict[str, str] | None = None,
) -> Tag:
    if dimension.kind in {Dimension.Kind.ORDINAL, Dimension.Kind.BOOLEAN}:
        raise ValidationError(
            {
                "slug": [
                    LEVELS_FIXED
                    if dimension.is_ordinal
                    else NO_TAGS % {"kind": dimension.get_kind_display()}
                ]
            }
        )
    slug = _slug_clean(slug)
    if not label.strip():
        raise ValidationError({"label": [LABEL_REQUIRED]})
    if Tag.objects.filter(dimension=dimension, slug=slug).exists():
        raise ValidationError({"slug": [SLUG_TAKEN % {"slug": slug}]})
    last = (
        Tag.objects.filter(dimension=dimension)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
        or 0
    )
    tag = Tag.objects.create(
        dimension=dimension,
        slug=slug,
        label=label.strip(),
        definition=definition.strip(),
        examples=examples.strip(),
        order=last + 1,
        translations=_translations_clean({}, french),
    )
    _record(
        action=TaxonomyChange.Action.CREATE,
        summary=f"Added tag {dimension.slug}:{slug}",
        editor=editor,
        dimension=dimension,
    )
    return tag


@transaction.atomic
def tag_edit(
    *,
    tag: Tag,
    editor: User,
    label: str,
    definition: str,
    examples: str = "",
    french: dict[str, str] | None = None,
) -> Tag:
    """Edit the wording (label, definition, examples, French translation). The slug, which
    taggings store, only changes through ``tag_rename``."""
    if not label.strip():
        raise ValidationError({"label": [LABEL_REQUIRED]})
    tag.label, tag.definition, tag.examples = label.strip(), definition.strip(), examples.strip()
    tag.translations = _translations_clean(tag.translations, french)
    tag.save(update_fields=["label", "definition", "examples", "translations"])
    _record(
        action=TaxonomyChange.Action.EDIT,
        summary=f"Edited tag {tag}",
        editor=editor,
        dimension=tag.dimension,
    )
    return tag


# --- remapping ------------------------------------------------------------------------------


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, list):
        return sorted({new if v == old else v for v in value}) if old in value else value
    return new if value == old else value


def _remap(
    dimension: Dimension, old: str, new: str, *, reason: str, editor: User | None
) -> dict[str, Any]:
    """Replace ``old`` by ``new`` in every stored value of ``dimension``; returns
    ``{"tagging"|"canonical"|"calibration": {id: [before, after]}}``."""
    slug = dimension.slug
    rows: dict[str, dict[str, list[Any]]] = {"tagging": {}, "canonical": {}, "calibration": {}}
    taggings = []
    for t in (
        Tagging.objects.select_for_update()
        .filter(values__has_key=slug)
        .only("id", "values", "version")
    ):
        after = _replace(t.values[slug], old, new)
        if after != t.values[slug]:
            rows["tagging"][str(t.pk)] = [t.values[slug], after]
            t.values = {**t.values, slug: after}
            t.version += (
                1  # a tagger's stale autosave now gets a 409 instead of restoring the old slug
            )
            taggings.append(t)
    Tagging.objects.bulk_update(taggings, ["values", "version"], batch_size=500)
    _remap_canonical(
        slug, lambda v: _replace(v, old, new), rows["canonical"], reason=reason, editor=editor
    )
    answers = []
    for a in CalibrationAnswer.objects.select_for_update().filter(values__has_key=slug):
        after = _replace(a.values[slug], old, new)
        if after != a.values[slug]:
            rows["calibration"][str(a.pk)] = [a.values[slug], after]
            a.values = {**a.values, slug: after}
            answers.append(a)
    CalibrationAnswer.objects.bulk_update(answers, ["values"], batch_size=500)
    return rows


def _remap_canonical(
    slug: str,
    change: Any,
    rows: dict[str, list[Any]],
    *,
    reason: str,
    editor: User | None,
    only: dict[str, Any] | None = None,
) -> None:
    """Apply ``change`` to the canonical value of ``slug``; each changed title gets a new version
    and a revision (who and why), so the canonical history stays complete."""
    qs = CanonicalTags.objects.select_for_update().filter(values__has_key=slug)
    if only is not None:
        qs = qs.filter(pk__in=[int(k) for k in only])
    changed, revisions = [], []
    for c in qs:
        before = c.values[slug]
        after = (
            change(before)
            if only is None
            else (only[str(c.pk)][0] if before == only[str(c.pk)][1] else before)
        )
        if after == before:
            continue
        rows[str(c.pk)] = [before, after]
        c.values = {**c.values, slug: after}
        c.version += 1
        c.updated_by = editor
        changed.append(c)
        revisions.append(
            CanonicalTagsRevision(
                title_id=c.title_id,
                version=c.version,
                values=c.values,
                source=c.source,
                reason=reason[:500],
                changed_by=editor,
            )
        )
    CanonicalTags.objects.bulk_update(changed, ["values", "version", "updated_by"], batch_size=500)
    CanonicalTagsRevision.objects.bulk_create(revisions, batch_size=500)


def _check_remappable(tag: Tag) -> None:
    if tag.dimension.kind in {Dimension.Kind.ORDINAL, Dimension.Kind.BOOLEAN}:
        raise ValidationError({"tag": [NO_TAGS % {"kind": tag.dimension.get_kind_display()}]})


@transaction.atomic
def tag_rename(*, tag: Tag, new_slug: str, editor: User, new_label: str = "") -> TaxonomyChange:
    """Give a tag a new slug (and label), remapping every stored value that used the old one."""
    _check_remappable(tag)
    new_slug = _slug_clean(new_slug, "new_slug")
    old = tag.slug
    if new_slug != old and Tag.objects.filter(dimension=tag.dimension, slug=new_slug).exists():
        raise ValidationError({"new_slug": [SLUG_TAKEN % {"slug": new_slug}]})
    old_label = tag.label
    tag.slug = new_slug
    if new_label.strip():
        tag.label = new_label.strip()
    tag.save(update_fields=["slug", "label"])
    summary = f"Renamed {tag.dimension.slug}:{old} to {new_slug}"
    rows = (
        _remap(tag.dimension, old, new_slug, reason=summary, editor=editor)
        if new_slug != old
        else {}
    )
    return _record(
        action=TaxonomyChange.Action.RENAME,
        summary=summary,
        editor=editor,
        dimension=tag.dimension,
        undo={
            "kind": "rename",
            "tag": tag.pk,
            "from": old,
            "to": new_slug,
            "label": old_label,
            "rows": rows,
        },
    )


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag, editor: User) -> TaxonomyChange:
    """Merge ``source`` into ``target``: every value using source now uses target (a multi-select
    answer holding both keeps one), and source is retired. Undoable."""
    _check_remappable(source)
    if source.pk == target.pk:
        raise ValidationError({"target": [SAME_TAG]})
    if source.dimension_id != target.dimension_id:
        raise ValidationError({"target": [OTHER_DIMENSION]})
    if not target.active:
        raise ValidationError({"target": [RETIRED_TARGET]})
    summary = f"Merged {source.dimension.slug}:{source.slug} into {target.slug}"
    rows = _remap(source.dimension, source.slug, target.slug, reason=summary, editor=editor)
    was_active = source.active
    source.active = False
    source.save(update_fields=["active"])
    return _record(
        action=TaxonomyChange.Action.MERGE,
        summary=summary,
        editor=editor,
        dimension=source.dimension,
        undo={
            "kind": "merge",
            "tag": source.pk,
            "from": source.slug,
            "to": target.slug,
            "was_active": was_active,
            "rows": rows,
        },
    )


@transaction.atomic
def change_undo(*, change: TaxonomyChange, editor: User) -> TaxonomyChange:
    """Reverse a rename or merge: rows still holding the remapped value get their value from
    before; rows changed since are left as they are now."""
    change = TaxonomyChange.objects.select_for_update().get(pk=change.pk)
    undo = change.undo or {}
    if (
        change.action not in {TaxonomyChange.Action.MERGE, TaxonomyChange.Action.RENAME}
        or "rows" not in undo
    ):
        raise ValidationError({"change": [NOT_UNDOABLE]})
    if change.undone:
        raise ValidationError({"change": [ALREADY_UNDONE]})
    tag = Tag.objects.select_related("dimension").get(pk=undo["tag"])
    dimension = tag.dimension
    slug = dimension.slug
    rows = undo["rows"] or {"tagging": {}, "canonical": {}, "calibration": {}}
    if undo["kind"] == "rename":
        if Tag.objects.filter(dimension=dimension, slug=undo["from"]).exclude(pk=tag.pk).exists():
            raise ValidationError({"change": [SLUG_TAKEN_UNDO % {"slug": undo["from"]}]})
        tag.slug, tag.label = undo["from"], undo.get("label") or tag.label
    else:
        tag.active = bool(undo.get("was_active", True))
    tag.save(update_fields=["slug", "label", "active"])
    summary = f"Undid v{change.pk}: {change.summary}"
    taggings = []
    for t in Tagging.objects.select_for_update().filter(
        pk__in=[int(k) for k in rows.get("tagging", {})]
    ):
        before, after = rows["tagging"][str(t.pk)]
        if t.values.get(slug) == after:
            t.values = {**t.values, slug: before}
            t.version += 1
            taggings.append(t)
    Tagging.objects.bulk_update(taggings, ["values", "version"], batch_size=500)
    _remap_canonical(slug, None, {}, reason=summary, editor=editor, only=rows.get("canonical", {}))
    answers = []
    for a in CalibrationAnswer.objects.select_for_update().filter(
        pk__in=[int(k) for k in rows.get("calibration", {})]
    ):
        before, after = rows["calibration"][str(a.pk)]
        if a.values.get(slug) == after:
            a.values = {**a.values, slug: before}
            answers.append(a)
    CalibrationAnswer.objects.bulk_update(answers, ["values"], batch_size=500)
    change.undone = True
    change.save(update_fields=["undone"])
    return _record(
        action=TaxonomyChange.Action.UNDO,
        summary=summary,
        editor=editor,
        dimension=dimension,
        undo={"undoes": change.pk},
    )


# --- retire, restore, reorder ---------------------------------------------------------------


@transaction.atomic
def tag_set_active(*, tag: Tag, active: bool, editor: User) -> TaxonomyChange:
    """Retire (hidden from the tag form; stored values stay) or restore a tag."""
    tag.active = active
    tag.save(update_fields=["active"])
    action = TaxonomyChange.Action.RESTORE if active else TaxonomyChange.Action.RETIRE
    verb = "Restored" if active else "Retired"
    return _record(
        action=action, summary=f"{verb} tag {tag}", editor=editor, dimension=tag.dimension
    )


@transaction.atomic
def dimension_set_active(*, dimension: Dimension, active: bool, editor: User) -> TaxonomyChange:
    dimension.active = active
    dimension.save(update_fields=["active"])
    action = TaxonomyChange.Action.RESTORE if active else TaxonomyChange.Action.RETIRE
    verb = "Restored" if active else "Retired"
    return _record(
        action=action,
        summary=f"{verb} dimension {dimension.slug}",
        editor=editor,
        dimension=dimension,
    )


@transaction.atomic
def tags_reorder(*, dimension: Dimension, tag_ids: Sequence[int], editor: User) -> TaxonomyChange:
    tags = {t.pk: t for t in Tag.objects.filter(dimension=dimension)}
    if sorted(tag_ids) != sorted(tags) or len(set(tag_ids)) != len(tag_ids):
        raise ValidationError({"order": [BAD_ORDER]})
    if dimension.is_ordinal:
        raise ValidationError({"order": [LEVELS_FIXED]})
    for position, pk in enumerate(tag_ids, start=1):
        tags[pk].order = position
    Tag.objects.bulk_update(tags.values(), ["order"])
    return _record(
        action=TaxonomyChange.Action.REORDER,
        summary=f"Reordered the tags of {dimension.slug}",
        editor=editor,
        dimension=dimension,
    )


@transaction.atomic
def tag_move(*, tag: Tag, offset: int, editor: User) -> TaxonomyChange:
    """Move one tag up (offset −1) or down (+1) in its dimension's order."""
    ids = list(
        Tag.objects.filter(dimension=tag.dimension)
        .order_by("order", "label")
        .values_list("pk", flat=True)
    )
    i = ids.index(tag.pk)
    j = min(max(i + offset, 0), len(ids) - 1)
    ids.insert(j, ids.pop(i))
    return tags_reorder(dimension=tag.dimension, tag_ids=ids, editor=editor)


@transaction.atomic
def dimension_move(*, dimension: Dimension, offset: int, editor: User) -> TaxonomyChange:
    dims = list(Dimension.objects.order_by("order", "slug"))
    i = next(k for k, d in enumerate(dims) if d.pk == dimension.pk)
    j = min(max(i + offset, 0), len(dims) - 1)
    dims.insert(j, dims.pop(i))
    for position, d in enumerate(dims, start=1):
        d.order = position
    Dimension.objects.bulk_update(dims, ["order"])
    return _record(
        action=TaxonomyChange.Action.REORDER,
        summary=f"Moved dimension {dimension.slug}",
        editor=editor,
        dimension=dimension,
    )
