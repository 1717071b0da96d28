"""Rename and merge tags, remapping every tagging, canonical tag and calibration answer, and
undo them from the recorded rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import (
    CanonicalTags,
    CanonicalTagsRevision,
    Dimension,
    Tag,
    TaxonomyChange,
)

from ...models import Tagging
from ...review_models import CalibrationAnswer

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from .common import (
    ALREADY_UNDONE,
    NO_TAGS,
    NOT_UNDOABLE,
    OTHER_DIMENSION,
    RETIRED_TARGET,
    SAME_TAG,
    SLUG_TAKEN,
    SLUG_TAKEN_UNDO,
    _record,
    _slug_clean,
)

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
