"""The tag form generated from the taxonomy: field descriptions for the template, and parsing of
the posted form back into the shared values shape (``{dimension_slug: value}``).

Parsing is deliberately permissive about shape and strict about nothing: it only turns form
strings into JSON types. ``catalog.values.values_clean`` (called by the services) is the single
judge of what is valid, so the page and the API refuse exactly the same answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from catalog.models import Dimension
from catalog.selectors import taxonomy_list

PREFIX = "v-"


@dataclass
class Option:
    slug: str
    label: str
    definition: str
    level: int | None
    checked: bool


@dataclass
class Field:
    slug: str
    kind: str
    label: str
    definition: str
    required: bool
    options: list[Option]
    value: Any
    errors: list[str] = field(default_factory=list)
    pins: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return PREFIX + self.slug

    @property
    def selected(self) -> Option | None:
        return next((o for o in self.options if o.checked), None)

    @property
    def is_ordinal(self) -> bool:
        return self.kind == Dimension.Kind.ORDINAL

    @property
    def is_multi(self) -> bool:
        return self.kind == Dimension.Kind.MULTI

    @property
    def is_single(self) -> bool:
        return self.kind == Dimension.Kind.SINGLE

    @property
    def is_boolean(self) -> bool:
        return self.kind == Dimension.Kind.BOOLEAN

    # The controls are built here rather than in the template: a full codebook has ~130
    # options, and Django's template engine spent most of the tag page's time on that loop.
    # Every interpolated string goes through ``html.escape``.
    def controls_html(self) -> SafeString:
        slug, label = escape(self.slug), escape(self.label)
        if self.is_boolean:
            options = [
                Option("true", _("Yes"), "", None, self.value is True),
                Option("false", _("No"), "", None, self.value is False),
            ]
            return mark_safe(  # noqa: S308 - escaped above and in _scale_items
                f'<div class="scale scale-bool" role="radiogroup" aria-label="{label}">'
                f"{_scale_items(self, options, with_level=False)}</div>"
            )
        if self.is_ordinal:
            return mark_safe(  # noqa: S308 - escaped above and in _scale_items
                f'<div class="scale" role="radiogroup" aria-label="{label}">'
                f"{_scale_items(self, self.options, with_level=True)}</div>"
            )
        kind = "checkbox" if self.is_multi else "radio"
        role = "group" if self.is_multi else "radiogroup"
        parts = [f'<div class="chips" role="{role}" aria-label="{label}">']
        for o in self.options:
            oid = f"o-{slug}-{escape(o.slug)}"
            hint = escape(f"{o.label} — {o.definition}")
            parts.append(
                f'<input type="{kind}" class="opt-input" id="{oid}" name="{escape(self.name)}" '
                f'value="{escape(o.slug)}"{" checked" if o.checked else ""} data-hint="{hint}">'
                f'<label class="opt-chip" for="{oid}" title="{escape(o.definition)}">{escape(o.label)}</label>'
            )
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above

    def anchors_html(self) -> SafeString:
        rows = "".join(
            f'<div class="anchor-row{" is-selected" if o.checked else ""}"><dt>{o.level} · {escape(o.label)}</dt>'
            f"<dd>{escape(o.definition)}</dd></div>"
            for o in self.options
        )
        return mark_safe(f"<dl>{rows}</dl>")  # noqa: S308 - escaped above


def _scale_items(f: Field, options: list[Option], *, with_level: bool) -> str:
    slug, name = escape(f.slug), escape(f.name)
    parts = []
    for o in options:
        oid = f"o-{slug}-{escape(o.slug)}"
        if with_level:
            hint = escape(f"{o.level} · {o.label} — {o.definition}")
            inner = (
                f'<span class="lvl">{o.level}</span><span class="lvl-name">{escape(o.label)}</span>'
            )
            title = f' title="{escape(o.label)}: {escape(o.definition)}"'
        else:
            hint, inner, title = escape(o.label), f'<span class="lvl">{escape(o.label)}</span>', ""
        parts.append(
            f'<input type="radio" class="opt-input" id="{oid}" name="{name}" value="{escape(o.slug)}"'
            f'{" checked" if o.checked else ""} data-hint="{hint}">'
            f'<label class="scale-level" for="{oid}"{title}>{inner}</label>'
        )
    return "".join(parts)


def form_fields(
    *,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    evidence: dict[str, list[dict[str, Any]]] | None = None,
) -> list[Field]:
    """One field per active dimension, in form order, with the current answer checked. Values of
    retired tags still show (checked) so a tagger sees what needs changing."""
    errors = errors or {}
    evidence = evidence or {}
    fields = []
    for dim in taxonomy_list(include_retired=False):
        value = values.get(dim.slug)
        chosen = _chosen(value)
        options = [
            Option(tag.slug, tag.label_i18n, tag.definition_i18n, tag.level, tag.slug in chosen)
            for tag in dim.tags.all()
        ]
        fields.append(
            Field(
                slug=dim.slug,
                kind=dim.kind,
                label=dim.label_i18n,
                definition=dim.definition_i18n,
                required=dim.required,
                options=options,
                value=value,
                errors=errors.get(dim.slug, []) + errors.get(f"evidence.{dim.slug}", []),
                pins=[
                    {**pin, "at": clock(pin.get("seconds"))}
                    for pin in evidence.get(dim.slug, [])
                    if isinstance(pin, dict)
                ],
            )
        )
    return fields


def clock(seconds: Any) -> str:
    """``4325.5`` -> ``"01:12:05"`` (player times as taggers read them)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return "?"
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _chosen(value: Any) -> set[str]:
    """Option slugs to check for a stored value (booleans are the options "true"/"false")."""
    if value is None:
        return set()
    if isinstance(value, list):
        return {str(v) for v in value}
    if isinstance(value, bool):
        return {"true" if value else "false"}
    return {str(value)}


def form_values(data: QueryDict, *, kinds: dict[str, str]) -> dict[str, Any]:
    """The posted form as a values dict. ``kinds`` maps dimension slug to kind; posted keys for
    unknown dimensions are passed through so validation can name them."""
    values: dict[str, Any] = {}
    for key in data:
        if not key.startswith(PREFIX):
            continue
        slug = key[len(PREFIX) :]
        kind = kinds.get(slug)
        raw = [item for item in data.getlist(key) if item != ""]
        if kind == Dimension.Kind.MULTI:
            values[slug] = raw
        elif not raw:
            continue
        elif kind == Dimension.Kind.ORDINAL:
            values[slug] = int(raw[-1]) if raw[-1].lstrip("-").isdigit() else raw[-1]
        elif kind == Dimension.Kind.BOOLEAN:
            values[slug] = {"true": True, "false": False}.get(raw[-1], raw[-1])
        else:
            values[slug] = raw[-1]
    return values


def form_json(data: QueryDict, key: str, default: Any) -> Any:
    """A JSON-encoded hidden input (evidence), or ``default`` when empty. Malformed JSON is
    passed on as the raw string so the service rejects it with a field message."""
    raw = data.get(key, "")
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def form_int(data: QueryDict, key: str) -> Any:
    raw = data.get(key, "")
    return int(raw) if raw.isdigit() else (raw or None)
