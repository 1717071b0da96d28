"""The request type of views that branch on ``request.htmx``.

``HtmxMiddleware`` sets ``request.htmx`` at runtime; django-htmx's docs recommend this subclass
so type checkers know about the attribute (it is only an annotation, never instantiated).
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
