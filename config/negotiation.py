"""DRF content negotiation with the common answers found without parsing.

API clients send no ``Accept`` header, ``*/*`` or ``application/json``; DRF parses the header
and matches every renderer against it on each request, ~4 % of a tagger's request CPU. For
exactly those three headers (and no ``?format=``) the answer is known: the first renderer for
none or ``*/*``, the first JSON renderer for ``application/json`` — what DRF's own matching
returns (a test compares both). Anything else goes through DRF's negotiation unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

JSON = "application/json"


class FastContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: Any = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)  # DRF passes a list; the signature says any iterable
        if renderers and not format_suffix:
            override = self.settings.URL_FORMAT_OVERRIDE
            if not override or override not in request.query_params:
                accept = request.META.get("HTTP_ACCEPT", "*/*")
                if accept == "*/*":
                    return renderers[0], renderers[0].media_type
                if accept == JSON:
                    for renderer in renderers:
                        if renderer.media_type == JSON:
                            return renderer, JSON
        return super().select_renderer(request, renderers, format_suffix)  # type: ignore[no-any-return]
