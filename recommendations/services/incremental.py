"""Incremental rebuilds: which lists a batch of changes alters, computed exactly.

A re-tagged title changes the profile of each subscriber who watched it (their lists are
scored again) and, for everybody else, only that title's score: one column, computed with the
same operations as the full product, patched into each list's kept candidates
(``engine.candidates``), then the diversity pass runs again on the lists whose candidates
moved. A list is written only when its titles changed or it holds a re-tagged title (whose
score and reason moved), and explains only its items that moved: the others keep their kept
reasons (``engine.kept_reasons``). The result equals recomputing every list; a list whose kept
candidates ran short is scored again in full.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from typing import Any

import numpy as np

from recommendations.engine.candidates import exact_prefix, patch_title_ranked
from recommendations.engine.scoring import (
    CANDIDATE_FACTOR,
    BlockResult,
    beyond_pairs,
    block_size,
    column_scores,
    diversify_counted,
    side_by_side,
)

from . import state as engine_state
from .ahead import Ahead
from .state import ComputedBlock, EngineState


def incremental_blocks(
    state: EngineState,
    *,
    title_ids: Sequence[int] = (),
    subscriber_ids: Sequence[int] = (),
    values: dict[int, dict[str, Any]] | None = None,
    explain: bool = True,
) -> Iterator[ComputedBlock]:
    """The lists that these changes alter, block by block (updating the working set as it
    goes: consume the iterator). ``values`` skips reading the titles' tags (benchmarks)."""
    full = np.zeros(0, np.int64)
    if subscriber_ids:
        full = engine_state.state_refresh_subscribers(state, subscriber_ids).astype(np.int64)
    if title_ids:
        _lists_ensure(state, skip=full)
        rows = engine_state.state_refresh_titles(state, title_ids, values)
        if rows.size:
            watchers = np.unique(state.seen[:, rows].tocoo().row).astype(np.int64)
            full = np.union1d(full, watchers)
            # The lists scored in full and the patched ones are disjoint: the first are
            # computed on a thread of their own meanwhile (patching leaves a core half idle).
            scored = engine_state.lists_compute(state, full, explain=explain)
            with Ahead(scored, depth=WATCHERS_AHEAD) as beside:
                with side_by_side():
                    patched = _patched(state, rows, full, explain=explain)
                    redo = yield from _between(patched, beside)
                yield from beside
            full = redo
    if full.size:
        yield from engine_state.lists_compute(state, full, explain=explain)


#: Blocks of fully scored lists kept waiting while the patched ones are yielded.
WATCHERS_AHEAD = 4


def _between(
    blocks: Generator[ComputedBlock, None, np.ndarray], beside: Ahead[ComputedBlock]
) -> Generator[ComputedBlock, None, np.ndarray]:
    """``blocks``, with the blocks ``beside`` has computed so far yielded between them;
    returns what ``blocks`` returns."""
    while True:
        yield from beside.ready()
        try:
            block = next(blocks)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        yield block


def _lists_ensure(state: EngineState, *, skip: np.ndarray) -> None:
    """Compute in memory (no reasons, no writes) the lists this process has not computed yet:
    patching needs every list's candidates. A cold process pays this once."""
    if state.cand_cut is None:
        uncomputed = np.arange(state.n_subscribers)
    else:
        uncomputed = np.flatnonzero(np.isposinf(state.cand_cut))
    uncomputed = np.setdiff1d(uncomputed, skip)
    if uncomputed.size:
        # Computing a block stores its candidates in ``state``; the blocks themselves are unused.
        for _block in engine_state.lists_compute(state, uncomputed, explain=False):
            continue


def _patched(
    state: EngineState, rows: np.ndarray, full: np.ndarray, *, explain: bool
) -> Generator[ComputedBlock, None, np.ndarray]:
    """Patch the re-tagged titles' new scores into the candidates of every list not in
    ``full`` (recomputed anyway), yield the lists that changed; returns the positions whose
    candidates ran short (to be scored again)."""
    cand_idx, cand_scores, cand_cut = state.cand_idx, state.cand_scores, state.cand_cut
    assert cand_idx is not None
    assert cand_scores is not None
    assert cand_cut is not None
    assert state.cowatch_norm is not None
    assert state.list_idx is not None
    others = np.ones(state.n_subscribers, np.bool_)
    others[full] = False
    touched = np.zeros(state.n_subscribers, np.bool_)
    # Lists whose first n_div candidates (the diversity pass's input) changed: only these
    # can change; in the others the title moved, entered or left below them.
    k = state.list_idx.shape[1]
    n_div = k * CANDIDATE_FACTOR
    moved = np.zeros(state.n_subscribers, np.bool_)
    weights_csc = state.weights_csc()
    for p in rows.tolist():
        new = column_scores(state.profiles, weights_csc, state.cowatch_norm, state.model, p)
        new[state.seen[:, [p]].tocoo().row] = -np.inf
        new[beyond_pairs(state.limits, state.model.titles.maturity[p])] = -np.inf
        patched = patch_title_ranked(cand_idx, cand_scores, cand_cut, p, new, where=others)
        touched |= patched.changed
        moved |= patched.within(n_div)
    pos = np.flatnonzero(touched)
    short = exact_prefix(cand_scores[pos], cand_cut[pos]) < n_div
    redo = pos[short]
    pos = np.flatnonzero(moved)
    pos = pos[~np.isin(pos, redo)]
    groups = state.model.groups()
    # Block by block, so that each block is stored while the next one is computed.
    block = block_size(len(state.title_ids))
    for start in range(0, len(pos), block):
        at = pos[start : start + block]
        idx, scores, _ = diversify_counted(cand_idx[at, :n_div], cand_scores[at, :n_div], groups, k)
        before = state.list_idx[at]
        changed = (idx != before).any(axis=1) | np.isin(idx, rows).any(axis=1)
        at, idx, scores, before = at[changed], idx[changed], scores[changed], before[changed]
        if not at.size:
            continue
        state.list_idx[at] = idx
        result = BlockResult(idx, scores, state.cowatch_norm[at])
        d = engine_state.block_drivers_kept(state, at, idx, before, rows) if explain else None
        engine_state.reasons_keep(state, at, d)
        yield ComputedBlock(at, result, d)  # type: ignore[arg-type]
    return redo
