from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.imports import ImportRejected, catalog_import
from catalog.models import (
    CanonicalTags,
    CanonicalTagsRevision,
    Dimension,
    OutboxEvent,
    Tag,
    TaxonomyChange,
    Title,
)
from catalog.services import canonical_tags_set
from tests.catalog.factories import TitleFactory, mini_codebook

pytestmark = pytest.mark.django_db

HEADER = "external_id,title,year,kind,runtime_minutes,synopsis,genres\n"


@pytest.fixture(autouse=True)
def _codebook() -> None:
    Dimension.objects.all().delete()
    mini_codebook()


def write(tmp_path: Path, text: str, name: str = "titles.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_catalog", str(path), "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rejection(path: Path) -> str:
    with pytest.raises(CommandError) as info:
        run(path)
    return str(info.value)


def test_good_file_creates_titles_with_their_fields_and_reports_counts(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "ml-1,Toy Story,1995,movie,81,A toy's tale.,Comedy|Drama\n"
        + 'ml-2,"Heat, The",1995,,170,"Two men, one city",thriller\n'
        + "s-1,Twin Peaks,1990,series,,,\n",
    )
    out, _ = run(path)
    assert "3 created, 0 updated, 0 unchanged" in out
    toy = Title.objects.get(external_id="ml-1")
    assert (toy.title, toy.year, toy.kind, toy.runtime_minutes, toy.synopsis) == (
        "Toy Story",
        1995,
        "movie",
        81,
        "A toy's tale.",
    )
    heat = Title.objects.get(external_id="ml-2")
    assert (heat.title, heat.kind, heat.synopsis) == ("Heat, The", "movie", "Two men, one city")
    peaks = Title.objects.get(external_id="s-1")
    assert (peaks.kind, peaks.runtime_minutes, peaks.synopsis) == ("series", None, "")


def test_genres_set_canonical_genre_tags_matching_labels_and_slugs(tmp_path):
    path = write(tmp_path, HEADER + "a,A,2000,movie,90,,Comedy|DRAMA|comedy\nb,B,2001,movie,90,,\n")
    run(path)
    title = Title.objects.get(external_id="a")
    assert title.canonical.values == {"genre": ["comedy", "drama"]}
    assert title.canonical.source == CanonicalTags.Source.IMPORTED
    assert not CanonicalTags.objects.filter(title__external_id="b").exists()
    assert CanonicalTagsRevision.objects.count() == 1
    assert list(OutboxEvent.objects.values_list("kind", "object_id")) == [("title_tags", title.pk)]


def test_missing_genre_tags_are_created_and_reported(tmp_path):
    path = write(
        tmp_path, HEADER + "a,A,2000,movie,90,,Sci-Fi|Film-Noir|drama\nb,B,2000,movie,90,,sci-fi\n"
    )
    out, _ = run(path)
    assert "Created genre tags: sci-fi, film-noir" in out
    created = Tag.objects.get(dimension__slug="genre", slug="sci-fi")
    assert created.label == "Sci-Fi"
    assert Title.objects.get(external_id="a").canonical.values == {
        "genre": ["drama", "film-noir", "sci-fi"]
    }
    assert Title.objects.get(external_id="b").canonical.values == {"genre": ["sci-fi"]}
    change = TaxonomyChange.objects.get()
    assert change.action == TaxonomyChange.Action.CREATE
    assert "Sci-Fi" in change.summary


def test_genres_merge_into_existing_canonical_tags_without_touching_other_dimensions(tmp_path):
    title = TitleFactory(external_id="a")
    canonical_tags_set(
        title=title, values={"genre": ["thriller"], "violence": 3}, source="adjudicated"
    )
    run(write(tmp_path, HEADER + "a,A,2000,movie,90,,comedy\n"))
    title.canonical.refresh_from_db()
    assert title.canonical.values == {"genre": ["comedy"], "violence": 3}
    assert title.canonical.version == 2
    assert CanonicalTagsRevision.objects.filter(title=title).count() == 2


def test_reimport_is_idempotent(tmp_path):
    path = write(
        tmp_path, HEADER + "a,A,2000,movie,90,x,comedy\nb,B,2001,series,,y,drama|thriller\n"
    )
    run(path)
    before = (
        OutboxEvent.objects.count(),
        CanonicalTagsRevision.objects.count(),
        Title.objects.count(),
    )
    stamp = Title.objects.get(external_id="a").updated_at
    out, _ = run(path)
    assert "0 created, 0 updated, 2 unchanged; genres changed on 0 titles" in out
    assert (
        OutboxEvent.objects.count(),
        CanonicalTagsRevision.objects.count(),
        Title.objects.count(),
    ) == before
    assert Title.objects.get(external_id="a").updated_at == stamp


def test_changed_rows_are_updated_and_counted(tmp_path):
    run(write(tmp_path, HEADER + "a,A,2000,movie,90,x,\nb,B,2001,movie,,y,\n"))
    out, _ = run(
        write(tmp_path, HEADER + "a,A (restored),2000,movie,95,x,\nb,B,2001,movie,,y,\nc,C,,,,,\n")
    )
    assert "1 created, 1 updated, 1 unchanged" in out
    a = Title.objects.get(external_id="a")
    assert (a.title, a.runtime_minutes) == ("A (restored)", 95)


def test_absent_columns_leave_fields_alone_and_unknown_columns_are_ignored(tmp_path):
    TitleFactory(external_id="a", title="Old", year=1999, synopsis="kept", runtime_minutes=100)
    out, _ = run(write(tmp_path, "Title,External_ID,imdb_score,notes\nNew,a,8.1,whatever\n"))
    assert "0 created, 1 updated" in out
    a = Title.objects.get(external_id="a")
    assert (a.title, a.year, a.synopsis, a.runtime_minutes) == ("New", 1999, "kept", 100)


def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "ok,Fine,2000,movie,90,,comedy\n"  # line 2
        + "m,,2000,movie,90,,\n"  # 3: missing title
        + "y,Bad year,19x5,movie,90,,\n"  # 4
        + "k,Bad kind,2000,film,90,,\n"  # 5
        + "r,Bad runtime,2000,movie,-3,,\n"  # 6
        + "ok,Duplicate,2000,movie,90,,\n"  # 7
        + ",No id,2000,movie,90,,\n"  # 8
        + "w,Retired genre,2000,movie,90,,western\n"  # 9
        + "f,Too many,2000,movie,90,,,surplus\n",  # 10
    )
    message = rejection(path)
    assert message.startswith("titles.csv: 8 bad rows, nothing was imported: ")
    for expected in (
        "line 3: missing title",
        "line 4: bad year “19x5”",
        "line 5: bad kind “film”",
        "line 6: bad runtime_minutes “-3”",
        "line 7: duplicate external_id “ok” (first on line 2)",
        "line 8: missing external_id",
        "line 9: the genre tag “western” is retired",
        "line 10: 8 fields but the header has 7",
    ):
        assert expected in message
    assert Title.objects.count() == 0
    assert OutboxEvent.objects.count() == 0
    assert Tag.objects.filter(dimension__slug="genre").count() == 4


def test_every_bad_row_goes_to_stderr_while_the_reason_stays_one_line(tmp_path):
    rows = "".join(f"t{i},,2000,movie,90,,\n" for i in range(30))
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "import_catalog", str(write(tmp_path, HEADER + rows)), "--no-progress", stderr=err
        )
    assert "\n" not in str(info.value)
    assert "… and 20 more" in str(info.value)
    assert len(err.getvalue().splitlines()) == 30
    assert "line 31: missing title" in err.getvalue()


def test_a_missing_required_column_rejects_the_file(tmp_path):
    message = rejection(write(tmp_path, "external_id,year\nx,2000\n"))
    assert "lacks the required column(s) title" in message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "is empty"),
        ("external_id,title,title\na,b,c\n", "names the column(s) title twice"),
    ],
)
def test_unusable_files_are_rejected_with_a_reason(tmp_path, content, reason):
    assert reason in rejection(write(tmp_path, content))


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(tmp_path / "nope.csv")


def test_non_utf8_file_is_rejected(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "a,Amélie,2001,movie,122,,\n".encode("latin-1"))
    assert "is not UTF-8" in rejection(path)


def test_bom_and_blank_lines_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        ("\ufeff" + HEADER + "a,A,2000,movie,90,,\r\n\r\nb,B,2001,movie,,,\r\n").encode("utf-8")
    )
    out, _ = run(path)
    assert "2 created" in out


def test_episodes_point_to_their_series_in_the_file_or_the_catalogue(tmp_path):
    TitleFactory(external_id="old-series", kind="series")
    path = write(
        tmp_path,
        "external_id,title,kind,parent_external_id,poster_url\n"
        "s1,Show,series,,https://img.example.com/s1.jpg\n"
        "e1,Pilot,episode,s1,\n"
        "e2,Reunion,episode,old-series,\n",
    )
    run(path)
    assert Title.objects.get(external_id="e1").parent == Title.objects.get(external_id="s1")
    assert Title.objects.get(external_id="e2").parent.external_id == "old-series"
    assert Title.objects.get(external_id="s1").poster_url == "https://img.example.com/s1.jpg"


def test_bad_parents_and_urls_are_rejected(tmp_path):
    TitleFactory(external_id="a-movie", kind="movie")
    path = write(
        tmp_path,
        "external_id,title,kind,parent_external_id,media_url\n"
        "e1,Pilot,episode,nowhere,\n"  # 2
        "e2,Two,episode,a-movie,\n"  # 3
        "m1,Film,movie,a-movie,\n"  # 4
        "e3,Three,episode,e3,\n"  # 5
        "v1,Video,movie,,ftp://example.com/v.mp4\n",  # 6
    )
    message = rejection(path)
    assert "line 2: unknown parent_external_id “nowhere”" in message
    assert "line 3: parent “a-movie” is a movie, not a series" in message
    assert "line 4: parent_external_id is only for episodes" in message
    assert "line 5: an episode cannot be its own parent" in message
    assert "line 6: bad media_url" in message


def test_import_without_a_genre_dimension_warns_and_keeps_titles(tmp_path):
    Dimension.objects.filter(slug="genre").delete()
    out, err = run(write(tmp_path, HEADER + "a,A,2000,movie,90,,comedy\n"))
    assert "1 created" in out
    assert "no active “genre” dimension" in err
    assert not CanonicalTags.objects.exists()


def test_service_raises_import_rejected_with_structured_errors(tmp_path):
    with pytest.raises(ImportRejected) as info:
        catalog_import(path=write(tmp_path, HEADER + "a,,,,,,\nb,B,3000,,,,\n"), progress=False)
    assert [(e.line, e.message) for e in info.value.errors] == [
        (2, "missing title"),
        (3, "bad year “3000”: expected a year from 1870 to 2100"),
    ]


def test_a_large_file_is_imported_in_bulk(tmp_path, django_assert_max_num_queries):
    genres = ["comedy", "drama", "thriller", "Horror", "comedy|drama"]
    lines = [
        f"big-{i},Title number {i},{1900 + i % 120},movie,{60 + i % 120},Synopsis {i},{genres[i % 5]}\n"
        for i in range(20_000)
    ]
    path = write(tmp_path, HEADER + "".join(lines))
    started = time.perf_counter()
    result = catalog_import(path=path, progress=False)
    elapsed = time.perf_counter() - started
    assert (result.created, result.updated, result.genres_changed) == (20_000, 0, 20_000)
    assert result.genre_tags_created == ["horror"]
    assert Title.objects.count() == 20_000
    assert Title.objects.get(external_id="big-12345").runtime_minutes == 60 + 12345 % 120
    assert CanonicalTags.objects.get(title__external_id="big-4").values == {
        "genre": ["comedy", "drama"]
    }
    # Many changed titles make one FULL outbox row instead of 20,000 per-title rows.
    assert list(OutboxEvent.objects.values_list("kind", flat=True)) == ["full"]
    assert elapsed < 60
    with django_assert_max_num_queries(200):
        again = catalog_import(path=path, progress=False)
    assert (again.created, again.updated, again.unchanged, again.genres_changed) == (
        0,
        0,
        20_000,
        0,
    )


def test_a_constraint_broken_by_a_concurrent_writer_rejects_the_file(tmp_path, monkeypatch):
    from django.db import IntegrityError

    import catalog.imports.titles as titles_module

    def collide(*args, **kwargs):
        raise IntegrityError(
            'duplicate key value violates unique constraint "catalog_title_external_id_key"'
        )

    monkeypatch.setattr(titles_module, "rows_insert", collide)
    message = rejection(write(tmp_path, HEADER + "a,A,2000,movie,90,,Space Opera\n"))
    assert message.startswith(
        "titles.csv: the database changed while importing (duplicate key value"
    )
    assert not Tag.objects.filter(slug="space-opera").exists()
    assert not TaxonomyChange.objects.exists()
