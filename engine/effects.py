"""What happens around an element's completion: deadlines, documents and audit, in the same transaction.

SpiffWorkflow emits `completed_event` on a task spec before the task's children take its data, so
a deadline opened here is visible to the next element (a timer reading `payment_due`, say).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

_SINK: contextvars.ContextVar[Sink | None] = contextvars.ContextVar("enforceflow_effects", default=None)


class Sink(Protocol):
    def on_complete(self, task) -> None: ...


def _dispatch(workflow, task) -> None:
    sink = _SINK.get()
    if sink is not None:
        sink.on_complete(task)


def instrument(spec, subprocess_specs: dict) -> None:
    """Connect every task spec of a version to the dispatcher (once per parsed version)."""
    for process in [spec, *subprocess_specs.values()]:
        for ts in process.task_specs.values():
            if not ts.completed_event.is_connected(_dispatch):
                ts.completed_event.connect(_dispatch)


@contextmanager
def capture(sink: Sink) -> Iterator[Sink]:
    """Route element completions to `sink` while the engine runs."""
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)
