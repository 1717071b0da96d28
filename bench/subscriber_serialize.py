"""Cost of turning computed lists into what is stored: ``lists_serialize`` (the packed lists)
+ the binary ``COPY`` data the store sends, per list, on ``bench_engine``'s synthetic data
(seeded).

Not a ``bench_`` module (``make bench`` does not run it), e.g.
``.venv/bin/python bench/subscriber_serialize.py 20000 2000``. Prints the per-list
microseconds of each part and the bytes per list.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import django
import numpy as np


def main(n_subs: int, n_titles: int, repeat: int = 3) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from bench.bench_engine import SEED, make_events, make_titles, state_from_arrays
    from recommendations.engine.explain import Explainer
    from recommendations.services import store
    from recommendations.services.state import lists_compute, lists_serialize

    rng = np.random.default_rng(SEED)
    titles = make_titles(n_titles, rng)
    state, _ = state_from_arrays(titles, make_events(n_subs, titles, rng), n_subs)
    blocks = list(lists_compute(state, np.arange(state.n_subscribers)))
    explainer = Explainer(state.model.titles, state.names)
    best_ser, best_json, size = float("inf"), float("inf"), 0
    for _ in range(repeat):
        ser = enc = 0.0
        size = 0
        for block in blocks:
            t = time.perf_counter()
            entries = lists_serialize(state, block, explainer)
            ser += time.perf_counter() - t
            t = time.perf_counter()
            size += len(store.copy_binary(entries)) - len(store.COPY_HEADER)
            enc += time.perf_counter() - t
        best_ser, best_json = min(best_ser, ser), min(best_json, enc)
    print(
        f"{n_subs} lists x {n_titles} titles: lists_serialize {best_ser / n_subs * 1e6:.1f} us/list, "
        f"COPY data {best_json / n_subs * 1e6:.1f} us/list, total {(best_ser + best_json) / n_subs * 1e6:.1f}"
        f" us/list, {size / n_subs:.0f} bytes/list (best of {repeat}; load {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 2_000,
    )
