"""Airlock's guest SDK for Python plugins built with componentize-py.

Thin helpers over the ``airlock:plugin`` imports that every Airlock world
includes (``include airlock:plugin/host-services@0.1.0;``):

* :class:`LogHandler` / :func:`install_logging` -- the standard :mod:`logging`
  module, routed to the host's log (``airlock:plugin/log``);
* :func:`progress` -- progress of long work (``airlock:plugin/progress``);
* :func:`is_cancelled` / :func:`check_cancelled` -- cooperative cancellation
  (``airlock:plugin/cancel``).

The package imports the world's generated bindings (``wit_world``), which
``componentize-py componentize`` writes while it builds the component: it
works inside a plugin only, for any world that includes the host services.
"""

from __future__ import annotations

import logging
from typing import Iterable, Iterator, Optional, Sequence, TypeVar

from wit_world.imports import cancel as _cancel
from wit_world.imports import log as _log
from wit_world.imports import progress as _progress

__all__ = [
    "Cancelled",
    "LogHandler",
    "check_cancelled",
    "install_logging",
    "is_cancelled",
    "log",
    "progress",
    "progress_over",
]

T = TypeVar("T")

#: The host's levels, by :mod:`logging` level (the highest at or below a record's level wins).
_LEVELS: Sequence[tuple[int, _log.Level]] = (
    (logging.ERROR, _log.Level.ERROR),
    (logging.WARNING, _log.Level.WARN),
    (logging.INFO, _log.Level.INFO),
    (logging.DEBUG, _log.Level.DEBUG),
)


def _host_level(levelno: int) -> _log.Level:
    for threshold, level in _LEVELS:
        if levelno >= threshold:
            return level
    return _log.Level.TRACE


def log(level: int, message: str) -> None:
    """Logs ``message`` at a :mod:`logging` level (``logging.INFO``, ...) into the host's log."""
    _log.log(_host_level(level), message)


class LogHandler(logging.Handler):
    """A :mod:`logging` handler that sends each record to the host's log.

    The host tags every line with the plugin's name and adds its own time
    stamp, so the default format is the logger's name and the message; an
    exception logged with ``logger.exception(...)`` carries its traceback.
    """

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            _log.log(_host_level(record.levelno), self.format(record))
        except Exception:  # a handler must never raise into the caller
            self.handleError(record)


def install_logging(level: int = logging.INFO) -> LogHandler:
    """Routes the root logger to the host at ``level`` and returns the handler.

    Call it once at import time of the plugin's module; afterwards
    ``logging.getLogger(__name__).info(...)`` reaches the host. Calling it
    again replaces the handler rather than adding a second one.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, LogHandler):
            root.removeHandler(handler)
    handler = LogHandler()
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def progress(fraction: float, message: str = "") -> None:
    """Reports progress of the current call: ``fraction`` in 0.0..=1.0 (the host clamps it).

    Progress counts against the plugin's log volume, like its logs: report
    per band of work (a few dozen times a call), not per pixel.
    """
    _progress.report(float(fraction), message)


def progress_over(items: Iterable[T], total: Optional[int] = None, message: str = "") -> Iterator[T]:
    """Yields ``items``, reporting progress after each and stopping early if the call is cancelled.

    ``total`` defaults to ``len(items)``. Raises :class:`Cancelled` when the
    host asks the call to stop (checked before each item).
    """
    if total is None:
        total = len(items)  # type: ignore[arg-type]
    for done, item in enumerate(items, start=1):
        check_cancelled()
        yield item
        progress(done / total if total else 1.0, message or f"{done}/{total}")


def is_cancelled() -> bool:
    """True once the host has asked the current call to stop early (a host round trip)."""
    return _cancel.is_cancelled()


class Cancelled(Exception):
    """Raised by :func:`check_cancelled` when the host asked the current call to stop.

    Catch it in the export and return the world's error value (e.g.
    ``Err(FilterError_Failed("cancelled"))``): an exception that escapes an
    export traps the instance instead.
    """


def check_cancelled() -> None:
    """Raises :class:`Cancelled` if the host has asked the current call to stop."""
    if _cancel.is_cancelled():
        raise Cancelled("the host cancelled the call")

