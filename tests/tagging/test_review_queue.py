"""The disagreement queue: ranking by weighted disagreement, and the incremental update after
new answers gives exactly what a full recomputation gives."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.core.cache import cache
from django.utils import timezone

from tagging.models import Tagging
from tagging.selectors_review import queue as queue_mod
from tagging.selectors_review.queue import disagreement_queue, queue_table
from tagging.services.adjudication import canonical_tags_adjudicate, dimension_policy_set

from .review_support import make_title, review_codebook, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_queue_ranks_by_weighted_disagreement(make_user, editor):
    dims = review_codebook()
    a, b = make_user("tagger"), make_user("tagger")
    apart, close, same = make_title("Apart"), make_title("Close"), make_title("Same")
    submit(apart, a, {"violence": 0}), submit(apart, b, {"violence": 5})
    submit(close, a, {"violence": 2}), submit(close, b, {"violence": 3})
    (
        submit(same, a, {"violence": 2, "period": "past"}),
        submit(same, b, {"violence": 2, "period": "future"}),
    )
    page = disagreement_queue(dimension="violence")
    assert [r["title"].title for r in page.rows] == ["Apart", "Close", "Same"]
    assert page.rows[0]["score"] == pytest.approx(1.0)
    # Weighted over dimensions: period weighs 3x violence now, so "Same" (period split) leads.
    dimension_policy_set(
        dimension=dims["period"], editor=editor, auto_threshold=None, disagreement_weight=3.0
    )
    assert disagreement_queue().rows[0]["title"].title == "Same"
    canonical_tags_adjudicate(title=apart, values={"violence": 3}, editor=editor)
    titles = [r["title"].title for r in disagreement_queue(dimension="violence").rows]
    assert "Apart" not in titles
    assert "Apart" in [
        r["title"].title
        for r in disagreement_queue(dimension="violence", include_adjudicated=True).rows
    ]


def test_incremental_update_matches_a_full_recomputation(make_user, monkeypatch):
    review_codebook()
    taggers = [make_user("tagger") for _ in range(3)]
    titles = [make_title() for _ in range(6)]
    for i, title in enumerate(titles[:4]):
        for j, t in enumerate(taggers[:2]):
            submit(
                title, t, {"violence": (i * j) % 6, "tone": ["dark"] if j else ["quirky", "dark"]}
            )
    Tagging.objects.update(updated_at=timezone.now() - timedelta(hours=1))  # saved well before
    first = queue_table()
    assert first.title_ids.size == 4
    submit(titles[0], taggers[2], {"violence": 5, "tone": ["sincere"]})  # changes an existing title
    (
        submit(titles[4], taggers[0], {"violence": 1}),
        submit(titles[4], taggers[1], {"violence": 4}),
    )  # a new one
    Tagging.objects.filter(title=titles[1], tagger=taggers[1]).update(
        status=Tagging.Status.RETURNED, updated_at=timezone.now()
    )  # drops out
    calls = []
    real = queue_mod.queue_table_compute
    monkeypatch.setattr(
        queue_mod, "queue_table_compute", lambda **kw: calls.append(kw) or real(**kw)
    )
    merged = queue_table()
    assert calls == [{"title_ids": calls[0]["title_ids"]}]  # only the changed titles were read
    assert sorted(calls[0]["title_ids"]) == sorted({titles[0].pk, titles[1].pk, titles[4].pk})
    full = real()
    assert merged.title_ids.tolist() == full.title_ids.tolist()
    assert np.allclose(merged.scores, full.scores)
    assert merged.answers.tolist() == full.answers.tolist()
    assert merged.worst == full.worst
    for slug, values in full.per_dimension.items():
        assert np.allclose(merged.per_dimension[slug], values, equal_nan=True)
