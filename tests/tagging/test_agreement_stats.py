"""Each tagger figure on small hand-computed cases (no database: unsaved dimensions)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from catalog.models import Dimension
from tagging.services.agreement.confusion import confusion_pairs
from tagging.services.agreement.data import answers_from_rows, dimension_data
from tagging.services.agreement.stats import (
    consensus_proposal,
    drift,
    pairwise_alpha,
    per_coder_mean,
    row_similarity,
    severity_bias,
    unit_disagreement,
    unit_medians,
)

VIOLENCE = Dimension(slug="violence", kind=Dimension.Kind.ORDINAL)
TONE = Dimension(slug="tone", kind=Dimension.Kind.MULTI)
PERIOD = Dimension(slug="period", kind=Dimension.Kind.SINGLE)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def answers(rows):
    """rows: (title, tagger, values[, day offset])."""
    out = []
    for i, row in enumerate(rows):
        title, tagger, values, *day = row
        when = datetime.fromtimestamp(T0.timestamp() + (day[0] if day else 0) * 86400, tz=UTC)
        out.append((i + 1, title, tagger, when, 60 * (i + 1), values))
    return answers_from_rows(out)


def test_missing_answers_are_left_out_except_for_multi_select():
    a = answers([(1, 10, {"violence": 2}), (1, 11, {}), (2, 10, {"tone": ["dark"]})])
    v = dimension_data(a, VIOLENCE)
    assert v.rows.tolist() == [0]
    t = dimension_data(a, TONE, tag_slugs=["dark", "quirky"])
    assert t.rows.tolist() == [0, 1, 2]  # no tone = chose none
    assert t.chosen.tolist() == [[False, False], [False, False], [True, False]]


def test_ordinal_proposal_is_the_median_rounded_up_and_flags_splits():
    a = answers(
        [
            (1, 10, {"violence": 1}),
            (1, 11, {"violence": 2}),
            (1, 12, {"violence": 4}),
            (2, 10, {"violence": 2}),
            (2, 11, {"violence": 3}),
        ]
    )
    data = dimension_data(a, VIOLENCE)
    assert unit_medians(data).tolist() == [2.0, 2.5]
    values, split = consensus_proposal(data)
    assert values == [2, 3]
    assert split.tolist() == [False, True]


def test_nominal_majority_and_per_tag_majority():
    a = answers(
        [
            (1, 10, {"period": "past"}),
            (1, 11, {"period": "past"}),
            (1, 12, {"period": "future"}),
            (1, 10, {"tone": ["dark", "quirky"]}),
        ]
    )
    data = dimension_data(a, PERIOD, tag_slugs=["past", "present", "future"])
    values, split = consensus_proposal(data)
    assert values == ["past"]
    assert not split[0]
    b = answers(
        [
            (1, 10, {"tone": ["dark", "quirky"]}),
            (1, 11, {"tone": ["dark"]}),
            (1, 12, {"tone": ["irreverent", "dark"]}),
        ]
    )
    tone = dimension_data(b, TONE, tag_slugs=["dark", "quirky", "irreverent"])
    values, split = consensus_proposal(tone)
    assert values == [["dark"]]
    assert not split[0]


def test_unit_disagreement_is_the_mean_pairwise_distance():
    a = answers(
        [
            (1, 10, {"violence": 0}),
            (1, 11, {"violence": 5}),
            (2, 10, {"violence": 3}),
            (2, 11, {"violence": 3}),
            (3, 10, {"violence": 1}),
        ]
    )
    data = dimension_data(a, VIOLENCE)
    dis = unit_disagreement(data)
    assert dis[0] == pytest.approx(1.0)
    assert dis[1] == 0.0
    assert np.isnan(dis[2])
    b = answers([(1, 10, {"tone": ["dark"]}), (1, 11, {"tone": ["dark", "quirky"]})])
    tone = dimension_data(b, TONE, tag_slugs=["dark", "quirky"], set_metric="jaccard")
    assert unit_disagreement(tone)[0] == pytest.approx(0.5)


def test_severity_bias_is_the_mean_gap_to_the_reference():
    # medians 2 and 2: tagger 10 rates 1 and 2 above -> +1.5; tagger 11 the mirror.
    a = answers(
        [
            (1, 10, {"violence": 3}),
            (1, 11, {"violence": 1}),
            (2, 10, {"violence": 4}),
            (2, 11, {"violence": 0}),
        ]
    )
    data = dimension_data(a, VIOLENCE)
    bias, n = severity_bias(data, unit_medians(data))
    assert bias.tolist() == pytest.approx([1.5, -1.5])
    assert n.tolist() == [2, 2]


def test_agreement_with_reference_scales_each_kind_to_0_1():
    a = answers([(1, 10, {"violence": 3}), (1, 11, {"violence": 1})])
    data = dimension_data(a, VIOLENCE)
    sims = row_similarity(data, [2])
    assert sims.tolist() == pytest.approx([0.8, 0.8])
    mean, n = per_coder_mean(data, sims)
    assert mean.tolist() == pytest.approx([0.8, 0.8])
    assert n.tolist() == [1, 1]
    b = answers([(1, 10, {"tone": ["dark"]}), (1, 11, {"tone": ["dark", "quirky"]}), (2, 10, {})])
    tone = dimension_data(b, TONE, tag_slugs=["dark", "quirky"])
    sims = row_similarity(tone, [["dark"], None])
    assert sims[0] == 1.0
    assert sims[1] == pytest.approx(0.5 * 2 / 3)
    assert np.isnan(sims[2])


def test_pairwise_matrix_uses_only_titles_both_answered():
    rows = []
    for title, (x, y, z) in enumerate([(0, 0, 5), (1, 1, 0), (2, 2, 4), (3, 3, 1), (4, 4, 2)]):
        rows += [(title, 10, {"violence": x}), (title, 11, {"violence": y})]
        if title < 4:
            rows.append((title, 12, {"violence": z}))
    data = dimension_data(answers(rows), VIOLENCE)
    alpha, n = pairwise_alpha(data)
    assert alpha[0, 1] == 1.0  # identical answers
    assert alpha[0, 2] < 0  # worse than chance
    assert n.tolist() == [[5, 5, 4], [5, 5, 4], [4, 4, 4]]


def test_drift_is_a_rolling_mean_per_tagger():
    coder = np.array([0, 0, 0, 1])
    x = np.array([1.0, 0.0, 0.5, 1.0])
    day = 86400.0
    when = np.array([0, 1, 9, 9]) * day + T0.timestamp()
    _dates, means, counts = drift(
        coder, 2, x, when, window_days=2, points=2, step_days=8, end=when.max()
    )
    # windows end on day 1 (days 0-1) and day 9 (days 8-9)
    assert means[0].tolist() == [0.5, 0.5]
    assert np.isnan(means[1, 0])
    assert means[1, 1] == 1.0
    assert counts.tolist() == [[2, 1], [0, 1]]


def test_confusion_pairs_count_tags_taggers_mix_up():
    a = answers(
        [
            (1, 10, {"tone": ["quirky"]}),
            (1, 11, {"tone": ["irreverent"]}),
            (2, 10, {"tone": ["irreverent", "dark"]}),
            (2, 11, {"tone": ["quirky", "dark"]}),
            (3, 10, {"tone": ["dark"]}),
            (3, 11, {"tone": ["dark"]}),
        ]
    )
    data = dimension_data(a, TONE, tag_slugs=["quirky", "irreverent", "dark"])
    top = confusion_pairs(data)
    assert (top[0].tag_a, top[0].tag_b, top[0].count) == ("quirky", "irreverent", 2)
    assert top[0].titles_with_either == 2
    assert top[0].rate == 1.0
    assert all(p.tag_a != "dark" and p.tag_b != "dark" for p in top)
