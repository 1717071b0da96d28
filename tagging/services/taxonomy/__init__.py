"""Taxonomy management by editors: add, edit (definitions and French translations), rename,
merge (with undo), retire, restore and reorder dimensions and tags.

Every change is one transaction that writes a ``catalog.TaxonomyChange`` (its id is the new
taxonomy version) and a TAXONOMY outbox row, so recommendation lists follow. Renames and merges
remap every tagging, canonical tag and calibration answer that used the old slug; tagging
revisions keep the history as it was. The undo record lists each remapped row with its value
before and after, so an undo restores exactly those rows that still hold the remapped value.
"""

from __future__ import annotations

from .common import *  # noqa: F403 - messages, for callers that show or test them
from .editing import dimension_create, dimension_edit, tag_create, tag_edit
from .ordering import dimension_move, dimension_set_active, tag_move, tag_set_active, tags_reorder
from .remapping import change_undo, tag_merge, tag_rename

__all__ = [
    "change_undo",
    "dimension_create",
    "dimension_edit",
    "dimension_move",
    "dimension_set_active",
    "tag_create",
    "tag_edit",
    "tag_merge",
    "tag_move",
    "tag_rename",
    "tag_set_active",
    "tags_reorder",
]
