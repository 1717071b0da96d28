"""Editor pages render for editors with real data, and nobody else sees them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from catalog.models import CanonicalTags, Tag, TaxonomyChange
from tagging.models import Tagging

from .review_support import make_title, review_codebook, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    dims = review_codebook()
    taggers = [make_user(Role.TAGGER, username=f"tg{i}") for i in range(3)]
    titles = [make_title(f"Film {i}") for i in range(4)]
    for i, title in enumerate(titles):
        for j, t in enumerate(taggers):
            submit(
                title,
                t,
                {
                    "violence": (i + j) % 6,
                    "tone": ["quirky"] if j else ["irreverent"],
                    "period": "past",
                },
                notes="<script>alert(1)</script>" if j == 0 else "",
            )
    return dims, taggers, titles


def page_urls(world) -> list[str]:
    dims, _taggers, titles = world
    return [
        reverse("tagging:review"),
        reverse("tagging:review-title", args=[titles[0].pk]),
        reverse("tagging:review-taggers"),
        reverse("tagging:planning"),
        reverse("tagging:taxonomy"),
        reverse("tagging:taxonomy-dimension", args=[dims["tone"].pk]),
        reverse("tagging:taxonomy-confusion"),
    ]


def test_every_editor_page_renders_for_an_editor(world, client, editor):
    client.force_login(editor)
    for url in page_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", [Role.TAGGER, Role.SUBSCRIBER, Role.OPERATOR])
def test_other_roles_get_403_on_every_editor_page(world, client, make_user, role):
    client.force_login(make_user(role))
    for url in page_urls(world):
        assert client.get(url).status_code == 403, url
    title = world[2][0]
    posts = [
        reverse("tagging:review-auto"),
        reverse("tagging:review-title", args=[title.pk]),
        reverse(
            "tagging:review-return", args=[title.pk, Tagging.objects.filter(title=title).first().pk]
        ),
        reverse("tagging:taxonomy-undo", args=[1]),
        reverse("tagging:planning-calibration", args=[title.pk]),
    ]
    for url in posts:
        assert client.post(url, {}).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get(reverse("tagging:review"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_queue_ranks_titles_by_disagreement_and_htmx_gets_the_partial(world, client, editor):
    client.force_login(editor)
    response = client.get(
        reverse("tagging:review"), {"dimension": "violence"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="queue"' in html
    assert "Film" in html
    assert "4 titles to review" in html


def test_agreement_chart_comes_in_a_second_request_until_cached(world, client, editor):
    client.force_login(editor)
    first = client.get(reverse("tagging:review")).content.decode()
    assert 'hx-get="/tagging/review/?part=agreement"' in first
    assert "<svg" not in first
    chart = client.get(
        reverse("tagging:review"), {"part": "agreement"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<svg" in chart
    assert "Violence" in chart
    assert "<html" not in chart
    again = client.get(reverse("tagging:review")).content.decode()
    assert "<svg" in again  # now cached: drawn with the page


def test_title_page_escapes_notes_and_prefills_the_proposal(world, client, editor):
    client.force_login(editor)
    title = world[2][0]
    html = client.get(reverse("tagging:review-title", args=[title.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    # tone: 2 of 3 chose quirky -> pre-checked
    assert 'name="v-tone" value="quirky" checked' in html


def test_adjudicating_from_the_title_page_sets_canonical_tags(world, client, editor):
    client.force_login(editor)
    title = world[2][0]
    response = client.post(
        reverse("tagging:review-title", args=[title.pk]),
        {
            "v-violence": "2",
            "v-tone": ["quirky", "dark"],
            "v-period": "past",
            "v-book": "true",
            "reason": "agreed on a call",
            "version": "0",
            "action": "adjudicate",
        },
    )
    assert response.status_code == 302
    canonical = CanonicalTags.objects.get(title=title)
    assert canonical.values == {
        "violence": 2,
        "tone": ["dark", "quirky"],
        "period": "past",
        "book": True,
    }
    stale = client.post(
        reverse("tagging:review-title", args=[title.pk]), {"v-violence": "3", "version": "0"}
    )
    assert stale.status_code == 409


def test_return_with_htmx_swaps_in_the_returned_note(world, client, editor):
    client.force_login(editor)
    title = world[2][0]
    tagging = Tagging.objects.filter(title=title).first()
    response = client.post(
        reverse("tagging:review-return", args=[title.pk, tagging.pk]),
        {"comment": "Check the ending"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Check the ending" in response.content.decode()
    tagging.refresh_from_db()
    assert tagging.status == Tagging.Status.RETURNED


def test_taxonomy_page_merges_and_undoes(world, client, editor):
    client.force_login(editor)
    dims = world[0]
    quirky = Tag.objects.get(dimension=dims["tone"], slug="quirky")
    irreverent = Tag.objects.get(dimension=dims["tone"], slug="irreverent")
    url = reverse("tagging:taxonomy-dimension", args=[dims["tone"].pk])
    assert (
        client.post(url, {"action": "merge", "tag": quirky.pk, "target": irreverent.pk}).status_code
        == 302
    )
    assert all("quirky" not in t.values.get("tone", []) for t in Tagging.objects.all())
    change = TaxonomyChange.objects.get(action="merge")
    client.post(reverse("tagging:taxonomy-undo", args=[change.pk]))
    assert sum("quirky" in t.values.get("tone", []) for t in Tagging.objects.all()) == 8


def test_thresholds_are_saved_from_the_dimension_page(world, client, editor):
    client.force_login(editor)
    dims = world[0]
    url = reverse("tagging:taxonomy-dimension", args=[dims["violence"].pk])
    client.post(
        url,
        {
            "action": "policy",
            "auto_threshold": "0.8",
            "min_taggers": "3",
            "disagreement_weight": "2",
        },
    )
    policy = dims["violence"].review_policy
    assert (policy.auto_threshold, policy.min_taggers, policy.disagreement_weight) == (0.8, 3, 2.0)
    bad = client.post(url, {"action": "policy", "auto_threshold": "3"})
    assert bad.status_code == 400
