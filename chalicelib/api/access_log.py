"""One JSON line per request on standard output (Lambda sends it to CloudWatch Logs), as Powertools' Logger wrote
it: keys level, location, message, timestamp, service, then the request's fields; the logger named after the
service ("aicore", so the other "aicore.*" loggers print the same way and the local stack's --log-level applies).
Standard logging only: Powertools' Logger cost ~40 ms of imports on every cold start of the API function."""
from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

_RECORD_KEYS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class _JsonLine(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.created))
        line = {"level": record.levelname, "location": f"{record.funcName}:{record.lineno}",
                "message": record.getMessage(), "timestamp": f"{stamp},{int(record.msecs):03d}+0000",
                "service": self.service}
        line.update((k, v) for k, v in vars(record).items() if k not in _RECORD_KEYS)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


class _NotOurs(logging.Filter):
    """On the root's handlers (the Lambda runtime's own): our records are printed once, by our handler."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == self.service or record.name.startswith(self.service + "."))


class AccessLog:
    def __init__(self, service: str):
        self._logger = logging.getLogger(service)
        if not any(isinstance(h.formatter, _JsonLine) for h in self._logger.handlers):
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(_JsonLine(service))
            self._logger.addHandler(handler)
            self._logger.setLevel(logging.INFO)
            for root_handler in logging.root.handlers:
                # pytest's capture handler keeps seeing them (caplog), as with Powertools.
                if not type(root_handler).__module__.startswith("_pytest"):
                    root_handler.addFilter(_NotOurs(service))

    def info(self, message: str, **fields: Any) -> None:
        self._logger.info(message, extra=fields, stacklevel=2)
