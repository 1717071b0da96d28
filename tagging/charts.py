"""Tiny server-side SVG charts for the review pages: no JavaScript, no CDN. Every label is
escaped; the SVG is returned as a safe string to drop into a template."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = [
    "#4338ca",
    "#0f766e",
    "#b45309",
    "#be185d",
    "#15803d",
    "#7c3aed",
    "#0369a1",
    "#a16207",
    "#b91c1c",
    "#475569",
]
TEXT = "#1b2030"
MUTED = "#5b6478"
GRID = "#dfe3ee"


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def alpha_bars(
    rows: Sequence[tuple[str, float | None, float | None, float | None]], *, title: str
) -> SafeString:
    """Horizontal bars of alpha (−0.2..1 axis) with 95 % CI whiskers and Krippendorff's 0.667 and
    0.8 reference lines. ``rows``: (label, alpha, ci_low, ci_high)."""
    left, right, row_h, top = 156, 48, 27, 28
    width = 560
    plot = width - left - right
    height = top + row_h * max(len(rows), 1) + 24
    lo_axis, hi_axis = -0.2, 1.0

    def x(v: float) -> float:
        return left + (min(max(v, lo_axis), hi_axis) - lo_axis) / (hi_axis - lo_axis) * plot

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{height - 20}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - 6}" font-size="11" fill="{MUTED}" text-anchor="middle">{tick:.1f}</text>'
        )
    for ref, label in ((0.667, "0.667"), (0.8, "0.8")):
        parts.append(
            f'<line x1="{x(ref):.1f}" y1="{top - 10}" x2="{x(ref):.1f}" y2="{height - 20}" stroke="#9a5b00" '
            f'stroke-dasharray="4 3"/><text x="{x(ref):.1f}" y="{top - 14}" font-size="10" fill="#9a5b00" '
            f'text-anchor="middle">{label}</text>'
        )
    for i, (label, a, lo, hi) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            f'<text x="{left - 10}" y="{y + 15}" font-size="13" fill="{TEXT}" text-anchor="end">{escape(label)}</text>'
        )
        if a is None or not math.isfinite(a):
            parts.append(
                f'<text x="{x(0):.1f}" y="{y + 15}" font-size="11.5" fill="{MUTED}" dx="6">{escape("n/a")}</text>'
            )
            continue
        colour = "#137a3f" if a >= 0.8 else ("#9a5b00" if a >= 0.667 else "#b42318")
        x0, x1 = x(0.0), x(a)
        parts.append(
            f'<rect x="{min(x0, x1):.1f}" y="{y + 5}" width="{abs(x1 - x0):.1f}" height="14" rx="3" fill="{colour}" '
            f'opacity="0.85"><title>{escape(label)}: α = {_fmt(a, 3)}</title></rect>'
        )
        if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
            parts.append(
                f'<line x1="{x(lo):.1f}" y1="{y + 12}" x2="{x(hi):.1f}" y2="{y + 12}" stroke="{TEXT}" stroke-width="1.5"/>'
                f'<line x1="{x(lo):.1f}" y1="{y + 7}" x2="{x(lo):.1f}" y2="{y + 17}" stroke="{TEXT}" stroke-width="1.5"/>'
                f'<line x1="{x(hi):.1f}" y1="{y + 7}" x2="{x(hi):.1f}" y2="{y + 17}" stroke="{TEXT}" stroke-width="1.5"/>'
            )
        parts.append(
            f'<text x="{width - right + 6}" y="{y + 16}" font-size="12.5" fill="{TEXT}" font-weight="600">{_fmt(a, 2)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped above


def _heat_colour(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "#f1f3f9"
    t = min(max(v, 0.0), 1.0)
    # red (low) -> amber -> green (high), in HSL for even steps.
    return f"hsl({int(t * 130)}, 62%, {int(88 - t * 22)}%)"


def heat_map(
    labels: Sequence[str],
    matrix: Sequence[Sequence[float | None]],
    counts: Sequence[Sequence[int]],
    *,
    title: str,
) -> SafeString:
    n = len(labels)
    cell = 46 if n <= 10 else 34
    left, top = 110, 100
    width, height = left + cell * n + 10, top + cell * n + 10
    parts = [
        f'<svg class="chart heat" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
    ]
    for i, label in enumerate(labels):
        cx = left + i * cell + cell / 2
        parts.append(
            f'<text x="{left - 8}" y="{top + i * cell + cell / 2 + 4:.1f}" font-size="12" fill="{TEXT}" text-anchor="end">{escape(label)}</text>'
            f'<text transform="translate({cx:.1f},{top - 8}) rotate(-45)" font-size="12" fill="{TEXT}">{escape(label)}</text>'
        )
    for i in range(n):
        for j in range(n):
            v = matrix[i][j]
            shown = _fmt(v, 2) if i != j else ""
            tip = f"{labels[i]} × {labels[j]}: α = {_fmt(v, 3)} over {counts[i][j]} titles"
            parts.append(
                f'<g><rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 2}" height="{cell - 2}" rx="4" '
                f'fill="{_heat_colour(v) if i != j else "#e5e7eb"}"><title>{escape(tip)}</title></rect>'
                f'<text x="{left + j * cell + (cell - 2) / 2:.1f}" y="{top + i * cell + cell / 2 + 3:.1f}" font-size="11" '
                f'fill="{TEXT}" text-anchor="middle">{escape(shown)}</text></g>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - escaped above


def drift_lines(
    dates: Sequence[datetime], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str
) -> SafeString:
    """One line per tagger of a 0..1 figure over time; gaps where a window had no answers."""
    width, height, left, right, top, bottom = 640, 260, 44, 130, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(dates)
    lo = 0.0
    values = [v for _, s in series for v in s if v is not None]
    if values:
        lo = max(0.0, math.floor(min(values) * 10) / 10 - 0.1)

    def x(i: int) -> float:
        return left + (i / max(n - 1, 1)) * plot_w

    def y(v: float) -> float:
        return top + (1 - (v - lo) / max(1 - lo, 1e-9)) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
    ]
    steps = 4
    for k in range(steps + 1):
        v = lo + (1 - lo) * k / steps
        parts.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + plot_w}" y2="{y(v):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="10.5" fill="{MUTED}" text-anchor="end">{v:.2f}</text>'
        )
    for i, d in enumerate(dates):
        if n <= 6 or i % max(1, n // 6) == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 10}" font-size="10.5" fill="{MUTED}" text-anchor="middle">{escape(d.strftime("%d %b"))}</text>'
            )
    for s_i, (label, points) in enumerate(series):
        colour = PALETTE[s_i % len(PALETTE)]
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, point in enumerate(points):
            if point is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(point):.1f}")
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(point):.1f}" r="2.6" fill="{colour}"><title>{escape(label)}: {point:.2f}</title></circle>'
            )
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
        ly = top + 10 + s_i * 18
        parts.append(
            f'<rect x="{left + plot_w + 14}" y="{ly - 8}" width="10" height="10" rx="2" fill="{colour}"/>'
            f'<text x="{left + plot_w + 30}" y="{ly + 1}" font-size="11.5" fill="{TEXT}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - escaped above
