"""Agreement and the disagreement queue at 10,000 titles x 3 taggers.

1. Krippendorff's alpha of one ordinal dimension (and the set alpha of a multi-select one):
   the vectorised runtime code vs a plain-Python implementation of Krippendorff's definition
   (loops over units and pairs) vs the ``krippendorff`` package, same data, same run; plus the
   95 % bootstrap CI (1,000 resamples). Target: < 1 s.
2. The same through the database: ``GET /api/v1/agreement/?dimension=violence`` (load every
   submitted tagging, extract, alpha, CI) and the disagreement queue page, measured with
   Django's test client against a file SQLite database populated in bulk (in a child process
   with its own ``DATABASE_URL``). Target for the queue page: < 200 ms server time.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import permutations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TAGGERS = 3


def _ordinal_data(n_titles: int, seed: int = 0) -> np.ndarray:
    """(3, n) levels 0..5 with realistic agreement (one harsh tagger) and 10 % missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 6, n_titles)
    data = np.empty((TAGGERS, n_titles))
    for c in range(TAGGERS):
        slip = rng.choice([-1, 0, 0, 0, 1], size=n_titles) + (1 if c == 2 else 0) * (
            rng.random(n_titles) < 0.3
        )
        data[c] = np.clip(truth + slip, 0, 5)
    data[rng.random(data.shape) < 0.1] = np.nan
    return data


def plain_python_alpha(data: list[list[float | None]], level: str) -> float:
    """Krippendorff's alpha straight from the definition: coincidences unit by unit, pair by
    pair, in dicts (the baseline the vectorised code is measured against)."""
    coincidences: dict[tuple[float, float], float] = defaultdict(float)
    for unit in zip(*data, strict=True):
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for a, b in permutations(range(m), 2):
            coincidences[(values[a], values[b])] += 1 / (m - 1)
    n_c: Counter[float] = Counter()
    for (c, _k), w in coincidences.items():
        n_c[c] += w
    n = sum(n_c.values())
    ranks = sorted(n_c)

    def delta(c: float, k: float) -> float:
        if level == "nominal":
            return 0.0 if c == k else 1.0
        if level == "interval":
            return (c - k) ** 2
        lo, hi = sorted((ranks.index(c), ranks.index(k)))
        return (sum(n_c[ranks[g]] for g in range(lo, hi + 1)) - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(w * delta(c, k) for (c, k), w in coincidences.items()) / n
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in n_c for k in n_c) / (n * (n - 1))
    return 1 - observed / expected


def _time(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def _math_table(n_titles: int) -> None:
    import krippendorff

    from tagging.services.agreement.core import alpha, delta_for, set_distance_matrix

    data = _ordinal_data(n_titles)
    coder, unit = np.nonzero(~np.isnan(data))
    codes = data[coder, unit].astype(np.int64)
    delta = delta_for("ordinal", range(6))
    listed = [[None if np.isnan(v) else float(v) for v in row] for row in data]
    rows = []
    t, ours = _time(lambda: alpha(unit, codes, n_values=6, delta=delta).alpha)
    rows.append(("vectorised alpha (runtime code)", t, ours))
    t, ci = _time(lambda: alpha(unit, codes, n_values=6, delta=delta, bootstrap=1000).ci, repeat=1)
    rows.append(("vectorised alpha + 95% CI (1,000 resamples)", t, ours))
    t, ref = _time(lambda: plain_python_alpha(listed, "ordinal"), repeat=1)
    rows.append(("plain-Python reference (definition, loops)", t, ref))
    resamples = 20
    rnd = random.Random(3)

    def plain_bootstrap() -> None:
        for _ in range(resamples):
            pick = [rnd.randrange(n_titles) for _ in range(n_titles)]
            plain_python_alpha([[row[i] for i in pick] for row in listed], "ordinal")

    t, _ = _time(plain_bootstrap, repeat=1)
    rows.append(("plain-Python + CI (1,000 resamples, extrapolated)", t * 1000 / resamples, ref))
    t, pkg = _time(lambda: krippendorff.alpha(data, level_of_measurement="ordinal"))
    rows.append(("krippendorff package 0.9", t, pkg))
    print(f"\nOrdinal alpha, {n_titles:,} titles x {TAGGERS} taggers (10% missing)")
    print(f"{'implementation':<46} {'seconds':>9} {'alpha':>10}")
    for name, seconds, value in rows:
        print(f"{name:<46} {seconds:>9.4f} {value:>10.6f}")
    print(
        f"95% CI {ci[0]:.4f} .. {ci[1]:.4f}; |ours - plain| = {abs(ours - ref):.1e}, |ours - package| = {abs(ours - pkg):.1e}"
    )

    # Set alpha (MASI) of a multi-select dimension: up to 3 of 12 tags per answer.
    rng = np.random.default_rng(1)
    tags = 12
    truth = rng.random((n_titles, tags)) < 0.15
    chosen = np.concatenate([truth ^ (rng.random((n_titles, tags)) < 0.05) for _ in range(TAGGERS)])
    units = np.tile(np.arange(n_titles), TAGGERS)
    sets, codes = np.unique(chosen, axis=0, return_inverse=True)
    started = time.perf_counter()
    d = set_distance_matrix(sets)
    res = alpha(units, codes.ravel(), n_values=len(sets), delta=lambda _n: d, bootstrap=1000)
    t_set = time.perf_counter() - started
    print(
        f"set alpha (MASI) over {len(sets):,} distinct tag sets, with 1,000-resample CI: {t_set:.3f} s, alpha {res.alpha:.4f}"
    )


# --- database part (child process) ---------------------------------------------------------


def _child(n_titles: int) -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from accounts.roles import Role
    from accounts.services import user_create
    from catalog.models import Dimension, Title
    from tagging.models import Tagging

    call_command("migrate", verbosity=0)
    rnd = random.Random(7)
    dims = list(Dimension.objects.filter(active=True).prefetch_related("tags"))
    Title.objects.bulk_create(
        [
            Title(external_id=f"bench{i}", title=f"Bench title {i}", year=1950 + i % 70)
            for i in range(n_titles)
        ],
        batch_size=2000,
    )
    title_ids = list(Title.objects.order_by("id").values_list("id", flat=True))
    taggers = []
    for i in range(TAGGERS):
        user, _ = user_create(username=f"benchtagger{i}", role=Role.TAGGER, password=None)
        taggers.append(user)
    editor, _ = user_create(username="bencheditor", role=Role.EDITOR, password=None)
    editor.password = make_password("x")
    editor.save()
    tag_slugs = {d.slug: [t.slug for t in d.tags.all() if t.active] for d in dims}
    now = timezone.now()
    rows = []
    for title_id in title_ids:
        base: dict[str, object] = {}
        for d in dims:
            if d.kind == "ordinal":
                base[d.slug] = rnd.randint(0, 5)
            elif d.kind == "multi":
                base[d.slug] = sorted(rnd.sample(tag_slugs[d.slug], min(2, len(tag_slugs[d.slug]))))
            elif d.kind == "single" and tag_slugs[d.slug]:
                base[d.slug] = rnd.choice(tag_slugs[d.slug])
            elif d.kind == "boolean":
                base[d.slug] = rnd.random() < 0.3
        for j, tagger in enumerate(taggers):
            values = dict(base)
            for d in dims:  # each tagger slips now and then
                if rnd.random() < 0.15:
                    if d.kind == "ordinal":
                        values[d.slug] = min(5, max(0, int(values[d.slug]) + rnd.choice([-1, 1])))
                    elif d.kind == "multi" and tag_slugs[d.slug]:
                        values[d.slug] = sorted(
                            {*values[d.slug][:1], rnd.choice(tag_slugs[d.slug])}
                        )
            rows.append(
                Tagging(
                    title_id=title_id,
                    tagger=tagger,
                    values=values,
                    status="submitted",
                    submitted_at=now - timezone.timedelta(minutes=rnd.randint(1, 60 * 24 * 30)),
                    seconds_spent=rnd.randint(300, 3000),
                    version=2 + j % 2,
                )
            )
    Tagging.objects.bulk_create(rows, batch_size=2000)
    client = Client()
    client.force_login(editor)
    results = {}

    def measure(
        name: str, url: str, *, cold: bool, repeat: int, headers: dict | None = None
    ) -> None:
        times = []
        for _ in range(repeat):
            if cold:
                cache.clear()
            started = time.perf_counter()
            response = client.get(url, headers=headers or {})
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = {"median": statistics.median(times), "min": min(times)}

    measure(
        "agreement API, violence, CI 1,000 (load+compute)",
        "/api/v1/agreement/?dimension=violence",
        cold=True,
        repeat=3,
    )
    measure(
        "agreement API, genre (set + per-tag), CI 1,000",
        "/api/v1/agreement/?dimension=genre",
        cold=True,
        repeat=3,
    )
    measure(
        "queue partial (htmx), cold cache",
        "/tagging/review/",
        cold=True,
        repeat=3,
        headers={"HX-Request": "true"},
    )
    measure(
        "queue partial (htmx), warm",
        "/tagging/review/?page=2",
        cold=False,
        repeat=10,
        headers={"HX-Request": "true"},
    )
    measure("review page (chart + queue), cold cache", "/tagging/review/", cold=True, repeat=2)
    measure("review page (chart + queue), warm", "/tagging/review/", cold=False, repeat=10)
    measure(
        "queue filtered by dimension, warm",
        "/tagging/review/?dimension=violence",
        cold=False,
        repeat=10,
        headers={"HX-Request": "true"},
    )
    # A tagger submits one more answer: the ranking is updated for that title only.
    late, _ = user_create(username="benchlate", role=Role.TAGGER, password=None)
    client.get("/tagging/review/", headers={"HX-Request": "true"})
    times = []
    for k in range(5):
        Tagging.objects.create(
            title_id=title_ids[k],
            tagger=late,
            values={"violence": 5},
            status="submitted",
            submitted_at=timezone.now(),
            seconds_spent=600,
        )
        started = time.perf_counter()
        assert client.get("/tagging/review/", headers={"HX-Request": "true"}).status_code == 200
        times.append(time.perf_counter() - started)
    results["queue partial right after a new submission"] = {
        "median": statistics.median(times),
        "min": min(times),
    }
    print(json.dumps({"taggings": len(rows), "results": results}))


def run(quick: bool) -> None:
    n_titles = 1000 if quick else 10_000
    _math_table(n_titles)
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "TAGLINE_VAR_DIR": folder,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_agreement", "--child", str(n_titles)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stdout[-2000:], out.stderr[-4000:])
            raise SystemExit("database part failed")
        report = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"\nThrough the database (file SQLite, {report['taggings']:,} submitted taggings, 15 dimensions; "
        f"set-up {time.perf_counter() - started:.0f} s)"
    )
    print(f"{'request (Django test client, server time)':<54} {'median ms':>10} {'best ms':>9}")
    for name, r in report["results"].items():
        print(f"{name:<54} {r['median'] * 1000:>10.1f} {r['min'] * 1000:>9.1f}")
    print("targets: alpha < 1 s; disagreement queue page < 200 ms")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        _child(int(sys.argv[2]))
