"""Blocks computed on a thread of their own, ahead of the code that stores them.

Computing lists is numpy and scipy work that releases the GIL, and storing them mostly waits
for PostgreSQL, so a block can be computed while the one before it is stored, and two
independent sets of lists (a re-tagged title's watchers, scored in full, and the lists it is
patched into) can be computed side by side.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_END = object()


class Ahead(Generic[T]):
    """``items`` computed on a helper thread, up to ``depth`` of them ahead of the reader, in
    order; an error computing one is raised to the reader after the items before it. Use it
    as a context manager: leaving waits for the helper, which then computes nothing more."""

    def __init__(self, items: Iterator[T], depth: int) -> None:
        self._items = items
        self._ready: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._produce, name="lists-ahead", daemon=True)
        self._thread.start()

    def _put(self, item: tuple[object, BaseException | None]) -> bool:
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self._items:
                if not self._put((item, None)):
                    return
            self._put((_END, None))
        except BaseException as exc:  # handed to the reader, in order
            self._put((_END, exc))

    def _take(self, item: object, error: BaseException | None) -> object:
        """``item``, or ``_END`` once there are no more; raises the helper's error."""
        if error is not None:
            self._done = True
            raise error
        if item is _END:
            self._done = True
        return item

    def __iter__(self) -> Iterator[T]:
        """The remaining items, waiting for each."""
        while not self._done:
            item = self._take(*self._ready.get())
            if item is not _END:
                yield item  # type: ignore[misc]

    def ready(self) -> list[T]:
        """The items computed so far (none if the next is still being computed)."""
        out: list[T] = []
        while not self._done:
            try:
                pair = self._ready.get_nowait()
            except queue.Empty:
                break
            item = self._take(*pair)
            if item is not _END:
                out.append(item)  # type: ignore[arg-type]
        return out

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> Ahead[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
