"""Structured logs: one line per event, `key=value` pairs after the message (logfmt)."""

from __future__ import annotations

import logging
import sys

# Attributes every LogRecord has; anything else was passed with `extra=` and is printed.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_STANDARD |= {"color_message"}  # uvicorn's copy of msg with terminal colours


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, object] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            # uvicorn's access line: (client, method, path, http version, status)
            client, method, path, _, status = (*record.args, None, None, None, None, None)[:5]
            fields.update(msg="request", method=method, path=path, status=status, client=client)
        fields.update(
            {k: v for k, v in record.__dict__.items() if k not in _STANDARD and k[0] != "_"}
        )  # (a leading _ is a library's own bookkeeping: Ray stamps every record)
        line = " ".join(f"{k}={_quote(v)}" for k, v in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _quote(value: object) -> str:
    text = str(value)
    if not text or any(c in text for c in ' ="'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def configure(level: str = "info") -> None:
    """Send seefood's and uvicorn's logs to stderr as logfmt lines, one stream of them.

    uvicorn must then be run with `log_config=None`, so that it keeps these handlers.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogfmtFormatter())
    for name in ("seefood", "uvicorn", "uvicorn.error", "uvicorn.access", "asyncio"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper() if name != "uvicorn.access" else "INFO")
        logger.propagate = False
