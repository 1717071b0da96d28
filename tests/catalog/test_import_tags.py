from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import CanonicalTags, CanonicalTagsRevision, Dimension, OutboxEvent, Tag
from catalog.services import canonical_tags_set
from tests.catalog.factories import TitleFactory, mini_codebook

pytestmark = pytest.mark.django_db

HEADER = "external_id,dimension,value\n"


@pytest.fixture(autouse=True)
def _codebook() -> None:
    Dimension.objects.all().delete()
    mini_codebook()


@pytest.fixture
def titles() -> None:
    for external_id in ("a", "b", "c"):
        TitleFactory(external_id=external_id)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tags.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_tags", str(path), "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def values(external_id: str) -> dict:
    return CanonicalTags.objects.get(title__external_id=external_id).values


def test_long_format_rows_are_grouped_per_title_in_the_shared_values_shape(tmp_path, titles):
    path = write(
        tmp_path,
        HEADER
        + "a,genre,Comedy\n"
        + "a,genre,drama\n"
        + "a,violence,3\n"
        + "a,Time period,Past\n"  # a dimension's label and a tag's label, any case
        + "a,book,yes\n"
        + "b,tone,DARK\n"
        + "b,violence,level 4\n"  # an ordinal level by its label
        + "b,book,no\n",
    )
    out = run(path)
    assert "for 2 titles: canonical tags changed on 2, unchanged on 0" in out
    assert values("a") == {
        "genre": ["comedy", "drama"],
        "violence": 3,
        "period": "past",
        "book": True,
    }
    assert values("b") == {"tone": ["dark"], "violence": 4, "book": False}
    assert CanonicalTags.objects.get(title__external_id="a").source == CanonicalTags.Source.IMPORTED
    assert sorted(OutboxEvent.objects.values_list("kind", flat=True)) == [
        "title_tags",
        "title_tags",
    ]


def test_named_dimensions_are_replaced_and_the_others_kept(tmp_path, titles):
    title = TitleFactory(external_id="d")
    canonical_tags_set(
        title=title,
        values={"genre": ["thriller"], "tone": ["quirky"], "violence": 1},
        source="adjudicated",
    )
    run(write(tmp_path, HEADER + "d,genre,comedy\nd,violence,2\n"))
    assert values("d") == {"genre": ["comedy"], "tone": ["quirky"], "violence": 2}


def test_reimport_changes_nothing(tmp_path, titles):
    path = write(tmp_path, HEADER + "a,genre,comedy\na,violence,2\nb,tone,dark\n")
    run(path)
    counts = (CanonicalTagsRevision.objects.count(), OutboxEvent.objects.count())
    out = run(path)
    assert "canonical tags changed on 0, unchanged on 2" in out
    assert (CanonicalTagsRevision.objects.count(), OutboxEvent.objects.count()) == counts


def test_unknown_tags_titles_and_dimensions_reject_the_file_with_line_numbers(tmp_path, titles):
    path = write(
        tmp_path,
        HEADER
        + "a,genre,comedy\n"  # 2: fine
        + "a,genre,space opera\n"  # 3
        + "zzz,genre,comedy\n"  # 4
        + "a,mood,calm\n"  # 5
        + "b,violence,7\n"  # 6
        + "b,book,maybe\n"  # 7
        + "b,genre,western\n"  # 8: retired
        + "c,period,past\n"  # 9
        + "c,period,future\n"  # 10: single-select given twice
        + "c,tone,\n",  # 11
    )
    with pytest.raises(CommandError) as info:
        run(path)
    message = str(info.value)
    assert message.startswith("tags.csv: 8 bad rows, nothing was imported")
    for expected in (
        "line 3: unknown genre tag “space opera” (use --create-missing to create it)",
        "line 4: unknown title “zzz”",
        "line 5: unknown dimension “mood”",
        "line 6: bad violence level “7”",
        "line 7: bad book value “maybe”",
        "line 8: the genre tag “western” is retired",
        "line 10: period takes one value but title “c” gets “future” here and “past” on line 9",
        "line 11: missing value",
    ):
        assert expected in message
    assert not CanonicalTags.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_create_missing_creates_tags_but_never_dimensions_or_titles(tmp_path, titles):
    path = write(tmp_path, HEADER + "a,genre,Space Opera\nb,genre,space opera\nb,tone,Wistful\n")
    out = run(path, "--create-missing")
    assert "Created genre tags: space-opera" in out
    assert "Created tone tags: wistful" in out
    assert Tag.objects.get(dimension__slug="genre", slug="space-opera").label == "Space Opera"
    assert values("a") == {"genre": ["space-opera"]}
    assert values("b") == {"genre": ["space-opera"], "tone": ["wistful"]}

    with pytest.raises(CommandError) as info:
        run(
            write(tmp_path, HEADER + "a,mood,calm\nnobody,genre,comedy\na,violence,9\n"),
            "--create-missing",
        )
    message = str(info.value)
    assert "line 2: unknown dimension “mood”" in message
    assert "line 3: unknown title “nobody”" in message
    assert "line 4: bad violence level “9”" in message
    assert not Dimension.objects.filter(slug="mood").exists()


def test_a_rejected_create_missing_run_creates_no_tags(tmp_path, titles):
    with pytest.raises(CommandError):
        run(write(tmp_path, HEADER + "a,genre,Space Opera\nzzz,genre,comedy\n"), "--create-missing")
    assert not Tag.objects.filter(slug="space-opera").exists()


def test_missing_columns_reject_the_file(tmp_path):
    with pytest.raises(CommandError, match="lacks the required column"):
        run(write(tmp_path, "external_id,value\na,comedy\n"))
