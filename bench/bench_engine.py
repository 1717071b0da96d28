"""Recommendation engine at scale: full rebuild, incremental freshness, against two baselines.

Synthetic data generated with numpy (seeded): 10k titles x ~300 tag features (genres, tones,
themes, settings, single-selects, seven ordinal scales with some maturity levels left
unknown), subscribers with 30 events each (ratings, watches, likes, dislikes, "not interested")
drawn with a Zipf popularity skew. Sizes: 100k and 1M subscribers (``--quick``: 2k titles, 5k
and 20k subscribers).

Measured in the same run:

- **floor**: the bare numpy work — profiles x title matrix + top-k (argpartition), blocked,
  no exclusions, co-watch, diversity, reasons or I/O;
- **engine**: the shipped path — model build (weights, profiles, co-watch, popularity), then
  per block: blended scores, exclusions, top-k, diversity, reasons and rows, packing, and the
  write to the database (binary ``COPY`` + one upsert per block) when ``DATABASE_URL`` is PostgreSQL;
- **naive**: a per-subscriber Python loop over the ORM (load the subscriber's events, score
  every tagged title with dict arithmetic, sort, save), timed on a sample and extrapolated;
- **incremental**: one title's tags change, the title watched by ~5 % of subscribers: refresh
  the title's vector and its watchers' profiles, re-score its column for everybody, rebuild the
  affected lists and store them; p50/p95 over several titles (100k subscribers).

The database part runs in a throw-away test database (``test_<name>``) that is dropped after.
Peak memory is the process's maximum resident set size (``getrusage``).
``BENCH_ENGINE_SIZES=100000`` (comma-separated) overrides the subscriber counts,
``BENCH_ENGINE_TRIALS`` the number of incremental changes, ``BENCH_ENGINE_PROCESSES`` the
processes of the full rebuild (default: up to 2 cores).
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import resource
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

SEED = 20261127
EVENTS_PER_SUBSCRIBER = 30
K = 50


def rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


@dataclass
class Synthetic:
    space: Any
    raw: sp.csr_matrix
    maturity: np.ndarray
    names: list[str]
    popularity_p: np.ndarray


def make_titles(n_titles: int, rng: np.random.Generator) -> Synthetic:
    from recommendations.engine.vectors import (
        BOOLEAN,
        MULTI,
        ORDINAL,
        SINGLE,
        DimensionSpec,
        FeatureSpace,
        TagSpec,
    )

    def tags(prefix: str, n: int) -> tuple[TagSpec, ...]:
        return tuple(TagSpec(f"{prefix}-{i}", f"{prefix.title()} {i}") for i in range(n))

    dims = [
        DimensionSpec("genre", MULTI, "Genre", 1.0, tags=tags("genre", 30)),
        DimensionSpec("tone", MULTI, "Tone", 1.0, tags=tags("tone", 60)),
        DimensionSpec("theme", MULTI, "Theme", 0.8, tags=tags("theme", 140)),
        DimensionSpec("setting", MULTI, "Setting", 0.6, tags=tags("setting", 40)),
        DimensionSpec("time-period", SINGLE, "Time period", 0.5, tags=tags("period", 8)),
        DimensionSpec("audience", SINGLE, "Audience", 0.5, tags=tags("audience", 4)),
        DimensionSpec("based-on-book", BOOLEAN, "Based on a book", 0.3),
        DimensionSpec("true-story", BOOLEAN, "True story", 0.3),
        *[
            DimensionSpec(
                s, ORDINAL, s.title(), 0.5, is_maturity=s in ("violence", "sex", "language")
            )
            for s in (
                "violence",
                "sex",
                "language",
                "gore",
                "romance",
                "suspense",
                "plot-conclusiveness",
            )
        ],
    ]
    space = FeatureSpace.build(dims)
    offsets, o = {}, 0
    for d in dims:
        offsets[d.slug] = o
        o += 1 if d.kind in (ORDINAL, BOOLEAN) else len(d.tags)
    rows, cols, vals = [], [], []

    def pick(slug: str, n_tags: int, lo: int, hi: int) -> None:
        counts = rng.integers(lo, hi + 1, n_titles)
        r = np.repeat(np.arange(n_titles), counts)
        c = offsets[slug] + (rng.zipf(1.6, r.size) - 1) % n_tags
        rows.append(r)
        cols.append(c)
        vals.append(np.ones(r.size, np.float32))

    pick("genre", 30, 1, 3)
    pick("tone", 60, 1, 3)
    pick("theme", 140, 1, 4)
    pick("setting", 40, 1, 1)
    pick("time-period", 8, 1, 1)
    pick("audience", 4, 1, 1)
    for slug in ("based-on-book", "true-story"):
        r = np.flatnonzero(rng.random(n_titles) < 0.2)
        rows.append(r)
        cols.append(np.full(r.size, offsets[slug]))
        vals.append(np.ones(r.size, np.float32))
    ordinals = ("violence", "sex", "language", "gore", "romance", "suspense", "plot-conclusiveness")
    levels = rng.integers(0, 6, (n_titles, len(ordinals)))
    known = rng.random((n_titles, len(ordinals))) > 0.03  # a few titles not yet rated
    for j, slug in enumerate(ordinals):
        r = np.flatnonzero(known[:, j])
        rows.append(r)
        cols.append(np.full(r.size, offsets[slug]))
        vals.append((levels[r, j] / 5).astype(np.float32))
    raw = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_titles, space.n_features),
        dtype=np.float32,
    )
    raw.sum_duplicates()
    raw.data = np.minimum(raw.data, 1.0)
    maturity = np.where(known, levels, -1).astype(np.int8)
    popularity = 1.0 / np.arange(1, n_titles + 1) ** 0.9
    popularity = rng.permutation(popularity / popularity.sum())
    return Synthetic(space, raw, maturity, [f"Title {i}" for i in range(n_titles)], popularity)


def make_events(n_subs: int, titles: Synthetic, rng: np.random.Generator) -> Any:
    from recommendations.engine.profiles import Interactions

    n = n_subs * EVENTS_PER_SUBSCRIBER
    sub = np.repeat(np.arange(n_subs, dtype=np.int32), EVENTS_PER_SUBSCRIBER)
    title = rng.choice(len(titles.names), n, p=titles.popularity_p).astype(np.int32)
    event = rng.choice(5, n, p=[0.2, 0.7, 0.05, 0.03, 0.02]).astype(np.int8)
    rating = np.where(event == 1, rng.integers(1, 11, n) / 2, np.nan).astype(np.float32)
    ts = 1.7e9 - rng.random(n) * 2 * 365 * 86_400
    return Interactions(sub, title, event, rating, ts)


def make_limits(n_subs: int, n_dims: int, rng: np.random.Generator) -> np.ndarray:
    from recommendations.engine.scoring import NO_LIMIT

    limits = np.full((n_subs, n_dims), NO_LIMIT, np.int8)
    kids = rng.random(n_subs) < 0.1  # one profile in ten limits violence, sex and language
    limits[kids, :3] = rng.integers(0, 4, (int(kids.sum()), 3))
    return limits


def state_from_arrays(titles: Synthetic, inter: Any, n_subs: int) -> tuple[Any, float]:
    from recommendations.engine.explain import anchor_code_matrix
    from recommendations.engine.profiles import build_profiles, seen_matrix, weight_matrix
    from recommendations.engine.scoring import Blend, Model, cowatch_similarity, popularity_prior
    from recommendations.engine.vectors import title_vectors
    from recommendations.services.state import EngineState

    started = time.perf_counter()
    tv = title_vectors(titles.raw, titles.maturity, titles.space)
    n_titles = len(titles.names)
    weights = weight_matrix(inter, n_subs, n_titles)
    seen = seen_matrix(inter, n_subs, n_titles)
    codes = anchor_code_matrix(
        inter.subscriber, inter.title, inter.event, inter.rating, (n_subs, n_titles)
    )
    model = Model(tv, cowatch_similarity(weights).tocsr(), popularity_prior(weights), Blend())
    rng = np.random.default_rng(SEED + 1)
    state = EngineState(
        title_ids=np.arange(1, n_titles + 1, dtype=np.int64),
        names=titles.names,
        model=model,
        subscriber_ids=np.arange(1, n_subs + 1, dtype=np.int64),
        weights=weights,
        seen=seen,
        anchor_codes=codes,
        limits=make_limits(n_subs, len(tv.space.maturity_dims), rng),
        profiles=build_profiles(weights, tv.matrix),
    )
    return state, time.perf_counter() - started


def floor_seconds(state: Any, processes: int, n: int | None = None) -> float:
    """The bare work, no I/O: the same product as the engine (sparse title matrix times the
    profiles, title-major, in the engine's chunks) and the same top-50 selection, split over
    the same number of processes. No co-watch, exclusions, diversity, candidates or reasons."""
    from recommendations.engine.scoring import score_chunk, tag_scores_t, top_candidates_t

    n = n or state.n_subscribers
    chunk = score_chunk(len(state.title_ids))

    def work(lo: int, hi: int) -> None:
        for start in range(lo, hi, chunk):
            stop = min(start + chunk, hi)
            top_candidates_t(tag_scores_t(state.profiles[start:stop], state.model.titles), K)

    started = time.perf_counter()
    forked(work, n, processes)
    return time.perf_counter() - started


def forked(work: Any, n: int, processes: int) -> None:
    """Run ``work(lo, hi)`` over [0, n) split between ``processes`` forked processes."""
    if processes <= 1:
        work(0, n)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    bounds = np.linspace(0, n, processes + 1).astype(int)
    procs = [ctx.Process(target=work, args=(int(a), int(b))) for a, b in itertools.pairwise(bounds)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
        if proc.exitcode:
            raise RuntimeError("floor worker failed")


class Writer:
    """The subscriber rows lists are written for (PostgreSQL: the real ``lists_store``)."""

    def __init__(self) -> None:
        from django.db import connection

        self.enabled = connection.vendor == "postgresql"

    def ensure_subscribers(self, n: int) -> None:
        if not self.enabled:
            return
        from django.db import connection

        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM recommendations_subscriber")
            have = c.fetchone()[0]
            if have >= n:
                return
            c.execute(
                "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, "
                "is_staff, is_active, date_joined) SELECT g, '!', false, 'bench' || g, '', '', '', false, true, now() "
                "FROM generate_series(%s, %s) g",
                [have + 1, n],
            )
            c.execute(
                "INSERT INTO recommendations_subscriber (id, user_id, max_levels, created_at, updated_at) "
                "SELECT g, g, '{}'::jsonb, now(), now() FROM generate_series(%s, %s) g",
                [have + 1, n],
            )


def engine_full(state: Any, processes: int) -> tuple[float, float, float]:
    """(total s, serialise s, write s) for every list: the shipped ``lists_rebuild`` (compute,
    serialise, ``lists_store``) in ``processes`` forked processes; serialise and write seconds
    are summed over the processes."""
    from recommendations.services.rebuild import lists_rebuild

    timings: dict[str, float] = {}
    started = time.perf_counter()
    lists_rebuild(
        state=state,
        positions=np.arange(state.n_subscribers),
        processes=processes,
        timings=timings,
    )
    return time.perf_counter() - started, timings.get("serialise", 0.0), timings.get("store", 0.0)


def naive_per_subscriber(titles: Synthetic, inter: Any, sample: int) -> float | None:
    """Seconds per subscriber for a per-row ORM loop, on a sample put in the database."""
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import CanonicalTags, Title
    from recommendations.engine.explain import SCORE_SCALE
    from recommendations.engine.packed import pack_one
    from recommendations.models import RecommendationList, Subscriber, ViewingEvent

    n_titles = len(titles.names)
    features = titles.space.features
    with transaction.atomic():
        Title.objects.filter(external_id__startswith="bench-").delete()
        objs = Title.objects.bulk_create(
            [Title(external_id=f"bench-{i}", title=titles.names[i]) for i in range(n_titles)],
            batch_size=2000,
        )
        raw = titles.raw.tocsr()
        tags = []
        for i, t in enumerate(objs):
            values: dict[str, Any] = {}
            for j, v in zip(
                raw.indices[raw.indptr[i] : raw.indptr[i + 1]],
                raw.data[raw.indptr[i] : raw.indptr[i + 1]],
                strict=True,
            ):
                f = features[j]
                if f.kind == "ordinal":
                    values[f.dimension] = round(float(v) * 5)
                elif f.kind == "boolean":
                    values[f.dimension] = True
                elif f.kind == "single":
                    values[f.dimension] = f.tag
                else:
                    values.setdefault(f.dimension, []).append(f.tag)
            tags.append(CanonicalTags(title=t, values=values))
        CanonicalTags.objects.bulk_create(tags, batch_size=2000)
        subs = list(Subscriber.objects.order_by("id")[:sample])
        if len(subs) < sample:  # SQLite runs skip the bulk subscriber insert used for writes
            from django.contrib.auth import get_user_model

            users = get_user_model().objects.bulk_create(
                [get_user_model()(username=f"naive{i}") for i in range(sample - len(subs))]
            )
            subs += Subscriber.objects.bulk_create([Subscriber(user=u) for u in users])
        events = []
        now = timezone.now()
        for s_i, s in enumerate(subs):
            mask = inter.subscriber == s_i
            for t, e, r in zip(
                inter.title[mask], inter.event[mask], inter.rating[mask], strict=True
            ):
                events.append(
                    ViewingEvent(
                        subscriber=s,
                        title=objs[int(t)],
                        event=["watched", "rated", "liked", "disliked", "not_interested"][int(e)],
                        rating=None if np.isnan(r) else float(r),
                        timestamp=now,
                    )
                )
        ViewingEvent.objects.bulk_create(events, batch_size=5000, ignore_conflicts=True)
    if not subs:
        return None
    started = time.perf_counter()
    for s in subs:
        profile: dict[str, float] = {}
        seen = set()
        for ev in ViewingEvent.objects.filter(subscriber=s).select_related("title__canonical"):
            seen.add(ev.title_id)
            w = (
                -1.0
                if ev.event in ("disliked", "not_interested")
                else (float(ev.rating) - 3 if ev.rating else 0.5)
            )
            for key, value in ev.title.canonical.values.items():
                for tag in value if isinstance(value, list) else [value]:
                    profile[f"{key}:{tag}"] = profile.get(f"{key}:{tag}", 0.0) + w
        scored = []
        for ct in CanonicalTags.objects.filter(title__external_id__startswith="bench-"):
            if ct.title_id in seen:
                continue
            score = sum(
                profile.get(f"{key}:{tag}", 0.0)
                for key, value in ct.values.items()
                for tag in (value if isinstance(value, list) else [value])
            )
            scored.append((score, ct.title_id))
        scored.sort(reverse=True)
        RecommendationList.objects.update_or_create(
            subscriber=s,
            defaults={
                "packed": pack_one(
                    [
                        [t for _, t in scored[:K]],
                        [round(sc * SCORE_SCALE) for sc, _ in scored[:K]],
                        *([[0] * len(scored[:K])] * 4),
                    ],
                    [0] * len(scored[:K]),
                    [],
                ),
                "generated_at": timezone.now(),
            },
        )
    return (time.perf_counter() - started) / len(subs)


def incremental(
    state: Any, titles: Synthetic, trials: int, rng: np.random.Generator
) -> list[tuple[float, int, int, float]]:
    """[(seconds, watchers, lists written, store seconds)] for single-title tag changes (~5 %
    watchers): the pipeline's path (``incremental_blocks`` + ``lists_store_blocks``)."""
    from recommendations.services.incremental import incremental_blocks
    from recommendations.services.rebuild import lists_store_blocks

    watchers = np.asarray((state.seen != 0).sum(axis=0)).ravel()
    target = 0.05 * state.n_subscribers
    candidates = np.argsort(np.abs(watchers - target))[:trials]
    out = []
    features = titles.space.features
    for p in candidates:
        values: dict[str, Any] = {"violence": int(rng.integers(0, 6))}
        for dim in ("genre", "tone", "theme"):
            choices = [f.tag for f in features if f.dimension == dim]
            values[dim] = sorted(set(rng.choice(choices, 2).tolist()))
        tid = int(state.title_ids[p])
        timings: dict[str, float] = {}
        started = time.perf_counter()
        blocks = incremental_blocks(state, title_ids=[tid], values={tid: values})
        written = lists_store_blocks(state=state, blocks=blocks, timings=timings, overlap=True)
        out.append((time.perf_counter() - started, int(watchers[p]), written, timings["store"]))
        print(
            f"    incremental: {out[-1][1]:,} watchers, {written:,} lists written, "
            f"{out[-1][0]:.3f} s (serialise {timings['serialise']:.3f} s, "
            f"store {timings['store']:.3f} s)",
            flush=True,
        )
    return out


def children_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20


def run(quick: bool) -> None:
    from django.db import connection

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
    rng = np.random.default_rng(SEED)
    # Products are single-threaded: a rebuild uses the cores through processes.
    processes = int(os.environ.get("BENCH_ENGINE_PROCESSES", min(2, os.cpu_count() or 1)))
    n_titles = 2_000 if quick else 10_000
    sizes = [5_000, 20_000] if quick else [100_000, 1_000_000]
    if os.environ.get("BENCH_ENGINE_SIZES"):  # e.g. "100000" to skip the long 1M run
        sizes = [int(x) for x in os.environ["BENCH_ENGINE_SIZES"].split(",")]
    old_name = connection.settings_dict["NAME"]
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        writer = Writer()
        if not writer.enabled:
            processes = 1  # forked processes need a database they can reach (PostgreSQL)
        print(
            f"database: {connection.vendor} ({test_db}); writes {'on' if writer.enabled else 'off (PostgreSQL only)'}"
        )
        titles = make_titles(n_titles, rng)
        print(
            f"titles: {n_titles:,} x {titles.space.n_features} features, {titles.raw.nnz / n_titles:.1f} tags per title"
        )
        rows = []
        incremental_rows = []
        for n_subs in sizes:
            gc.collect()
            inter = make_events(n_subs, titles, rng)
            state, build_s = state_from_arrays(titles, inter, n_subs)
            floor = floor_seconds(state, processes)
            writer.ensure_subscribers(n_subs)
            total, serialise, write = engine_full(state, processes)
            rows.append((n_subs, build_s, floor, total, serialise, write, rss_gib()))
            print(
                f"  {n_subs:>9,} subscribers ({processes} processes): model build {build_s:.1f} s, "
                f"floor {floor:.1f} s, engine lists {total:.1f} s (summed over processes: "
                f"serialise {serialise:.1f} s, writes {write:.1f} s), peak RSS "
                f"{rss_gib():.2f} GiB here, {children_rss_gib():.2f} GiB largest child",
                flush=True,
            )
            if n_subs == sizes[0]:
                naive = naive_per_subscriber(titles, inter, sample=10 if not quick else 5)
            if n_subs == sizes[0] or os.environ.get("BENCH_ENGINE_INCREMENTAL_ALL"):
                trials = int(os.environ.get("BENCH_ENGINE_TRIALS", 5 if quick else 8))
                for trial in incremental(state, titles, trials=trials, rng=rng):
                    incremental_rows.append((n_subs, *trial))
            del state, inter
        print(
            f"\nfull rebuild ({n_titles:,} titles, {EVENTS_PER_SUBSCRIBER} events per subscriber, {K} items per list)"
        )
        print(
            f"{'subscribers':>11}  {'naive ORM (extrap.)':>19}  {'numpy floor':>11}  {'engine total':>12}  {'x floor':>7}  {'writes':>7}  {'peak GiB':>8}"
            "\n(engine total = model build + lists; x floor = lists / floor, both in the same processes)"
        )
        for n_subs, build_s, floor, total, _serialise, write, peak in rows:
            engine = build_s + total
            naive_s = f"{naive * n_subs / 3600:.1f} h" if naive else "n/a"
            print(
                f"{n_subs:>11,}  {naive_s:>19}  {floor:>9.1f} s  {engine:>10.1f} s  {total / floor:>6.1f}x  {write:>5.1f} s  {peak:>8.2f}"
            )
        if naive:
            print(
                f"(naive: {naive * 1000:.0f} ms per subscriber on a {10 if not quick else 5}-subscriber sample, times the subscribers)"
            )
        times = np.array([t for _, t, _, _, _ in incremental_rows])
        if times.size:
            print(
                f"\nincremental: one title's tags change ({sizes[0]:,} subscribers), {len(times)} titles"
            )
            print(f"{'watchers':>9}  {'lists written':>13}  {'seconds':>8}  {'of which store':>14}")
            for _, t, w, n, store in incremental_rows:
                print(f"{w:>9,}  {n:>13,}  {t:>8.3f}  {store:>12.3f} s")
            print(
                f"p50 {np.percentile(times, 50):.3f} s, p95 {np.percentile(times, 95):.3f} s "
                f"(baseline: a full rebuild of the same size, {rows[0][1] + rows[0][3]:.1f} s)"
            )
        print(
            json.dumps(
                {
                    "full": rows,
                    "incremental_p95": float(np.percentile(times, 95)) if times.size else None,
                }
            )
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    import django

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    run(quick="--quick" in sys.argv)
