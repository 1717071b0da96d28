"""config.negotiation: the fast answers equal DRF's own negotiation."""

from __future__ import annotations

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.negotiation import FastContentNegotiation

RENDERER_SETS = [
    [JSONRenderer(), BrowsableAPIRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
    [TemplateHTMLRenderer(), JSONRenderer()],
    [JSONRenderer()],
]


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/html", "text/*"])
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
@pytest.mark.parametrize("renderers", RENDERER_SETS, ids=lambda rs: "+".join(r.format for r in rs))
def test_same_renderer_and_media_type_as_drf(accept, query, renderers):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/v1/x/{query}", **headers))
    outcomes = []
    for negotiation in (DefaultContentNegotiation(), FastContentNegotiation()):
        try:
            renderer, media_type = negotiation.select_renderer(request, renderers)
            outcomes.append((type(renderer), media_type))
        except Exception as exc:  # NotAcceptable / Http404 alike
            outcomes.append((type(exc), None))
    assert outcomes[0] == outcomes[1]
