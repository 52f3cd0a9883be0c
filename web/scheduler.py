"""Keeps timers and deadline warnings running beside the server: a daemon thread calling `tick` every interval."""

from __future__ import annotations

import threading

from flask import Flask

from engine.watch import note_overdue
from web.extensions import db


def tick(app: Flask) -> dict[str, int]:
    """Fire due BPMN timers and note passed deadlines once; harmless when several processes tick at once."""
    runtime = app.extensions["enforceflow.runtime"]
    with app.app_context():
        try:
            fired = runtime.fire_due_timers(db.session)
            noted = note_overdue(db.session, runtime.now())
        finally:
            db.session.remove()
    return {"timers_fired": len(fired), "deadlines_overdue": len(noted)}


def start(app: Flask, interval: float | None = None) -> threading.Event:
    """Start the ticking thread; set the returned event to stop it."""
    stop = threading.Event()
    every = interval or app.config["SCHEDULER_INTERVAL"]

    def loop() -> None:
        while not stop.is_set():
            try:
                tick(app)
            except Exception:  # noqa: BLE001 - a failed tick is logged and retried, never kills the thread
                app.logger.exception("scheduler tick failed")
            stop.wait(every)

    threading.Thread(target=loop, name="enforceflow-scheduler", daemon=True).start()
    return stop
