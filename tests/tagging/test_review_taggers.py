"""The taggers page figures through the database: agreement with consensus, severity bias,
calibration accuracy and throughput, on hand-computed cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.services import canonical_tags_set
from tagging.review_models import CalibrationAnswer
from tagging.selectors_review.taggers import tagger_report, tagger_throughput

from .review_support import make_title, review_codebook, submit

pytestmark = pytest.mark.django_db


def test_bias_consensus_and_calibration(make_user, editor):
    review_codebook()
    harsh, mild = make_user("tagger", username="harsh"), make_user("tagger", username="mild")
    t1, t2, cal = make_title(), make_title(), make_title()
    submit(t1, harsh, {"violence": 4}), submit(t1, mild, {"violence": 2})
    submit(t2, harsh, {"violence": 3}), submit(t2, mild, {"violence": 3})
    canonical_tags_set(title=t2, values={"violence": 2}, source="adjudicated", changed_by=editor)
    CalibrationAnswer.objects.create(title=cal, values={"violence": 1, "period": "past"})
    submit(cal, harsh, {"violence": 1, "period": "past"})
    submit(cal, mild, {"violence": 0, "period": "future"})
    report = tagger_report(dimension_slug="violence")
    rows = {t["username"]: t for t in report.taggers}
    # t1: no canonical -> median 3: harsh +1, mild -1; t2: canonical 2 -> both +1; cal: median 0.5
    assert rows["harsh"]["bias"]["violence"][0] == pytest.approx((1 + 1 + 0.5) / 3)
    assert rows["mild"]["bias"]["violence"][0] == pytest.approx((-1 + 1 - 0.5) / 3)
    # calibration: harsh exact on both dimensions; mild 1 - 1/5 on violence and 0 on period
    assert rows["harsh"]["calibration"]["accuracy"] == pytest.approx(1.0)
    assert rows["mild"]["calibration"]["accuracy"] == pytest.approx((0.8 + 0.0) / 2)
    assert report.pairwise["labels"] == ["harsh", "mild"]
    assert 0 <= rows["harsh"]["consensus"] <= 1


def test_throughput_counts_titles_per_active_day_and_median_minutes(make_user):
    review_codebook()
    fast = make_user("tagger", username="fast")
    now = timezone.now()
    for i, (days_ago, seconds) in enumerate([(1, 600), (1, 1200), (2, 1800), (40, 60)]):
        submit(
            make_title(f"T{i}"),
            fast,
            {"violence": 1},
            when=now - timedelta(days=days_ago, hours=1),
            seconds=seconds,
        )
    row = next(r for r in tagger_throughput(days=28) if r["username"] == "fast")
    assert row["titles"] == 3  # the 40-day-old one is outside the window
    assert row["per_day"] == pytest.approx(1.5)  # 3 titles over 2 active days
    assert row["median_minutes"] == pytest.approx(20.0)
