"""The local stack's schedule ticker: `ScheduleTicker.tick()` every `ticker_seconds` on a daemon thread (in
AWS the same tick runs from an EventBridge rule, see app.py)."""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger("aicore.schedules")


def start_schedule_ticker(container) -> Callable[[], None]:
    """background_workers() entry: starts the ticker thread and returns its stop function."""
    ticker = container.schedule_ticker
    interval = max(0.05, float(container.settings.ticker_seconds))
    stopping = threading.Event()

    def loop() -> None:
        while not stopping.wait(interval):
            try:
                for fire in ticker.tick():
                    log.info("schedule %s fired for %s: execution %s%s", fire.schedule_id, fire.due.isoformat(),
                             fire.execution_id, f" ({fire.error})" if fire.error else "")
            except Exception:  # noqa: BLE001 - e.g. storage briefly unavailable: the next tick retries
                log.exception("schedule tick failed")

    thread = threading.Thread(target=loop, name="schedule-ticker", daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(10)

    return stop
