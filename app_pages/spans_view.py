"""Spans as HTML: the text with each entity highlighted inline (like displaCy).

All user text is escaped; only fixed tags and styles are emitted.
"""

from __future__ import annotations

import html
import zlib
from collections.abc import Sequence

COLORS = {"PER": "#aa9cfc", "LOC": "#ff9561", "ORG": "#7aecec", "MISC": "#e4e7d2"}
EXTRA_COLORS = ("#bfe1d9", "#feca74", "#c887fb", "#9cc9cc", "#ffeb80", "#f0b0b0")


def label_color(label: str) -> str:
    """A fixed colour per label (CoNLL's four, else one picked by a stable hash)."""
    return COLORS.get(label) or EXTRA_COLORS[zlib.crc32(label.encode("utf-8")) % len(EXTRA_COLORS)]


def highlight_html(text: str, entities: Sequence) -> str:
    """`text` as HTML with each entity (label, start, end) in a coloured <mark>."""
    parts, position = [], 0
    for entity in sorted(entities, key=lambda e: e.start):
        if entity.start < position:
            continue  # overlapping spans cannot be nested inline; the tagger never makes them
        parts.append(html.escape(text[position : entity.start]))
        parts.append(
            f'<mark style="background: {label_color(entity.label)}; padding: 0.1em 0.35em; '
            f'border-radius: 0.3em; line-height: 2">{html.escape(text[entity.start : entity.end])}'
            f' <span style="font-size: 0.7em; font-weight: bold">{html.escape(entity.label)}</span></mark>'
        )
        position = entity.end
    parts.append(html.escape(text[position:]))
    return '<div style="white-space: pre-wrap">' + "".join(parts) + "</div>"
