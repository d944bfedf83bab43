"""What the running API tells its operators: Prometheus metrics and JSON log lines.

Every HTTP request passes through ``RequestObserver``, which gives it a request id
(the caller's ``X-Request-ID`` if it is a sane token, else a new one), answers with that
id in ``X-Request-ID``, counts and times the request under its route's path template,
and writes one JSON line about it to the ``trustfair.access`` logger. While the request
runs, its id is in ``current_request_id``, and ``RequestIdFilter`` stamps it on every
log record, so any line logged on its behalf can be found with it.

Each app keeps its metrics in a registry of its own (``Metrics``): the process-wide
default registry would refuse a second app's metrics of the same names, and tests make
many apps in one process.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from trustfair.pipeline.outbox import OutboxDispatcher

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
"""A request id we pass on as it came: short, and nothing that could forge a log line."""
UNMATCHED_ROUTE = "unmatched"
"""The route of a request no route took: one label for all of them, whatever the path."""
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Any other method is counted as ``OTHER``: a label per invented method would let a
client grow the metrics without bound."""
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds. Fine at the low end: an event is answered in milliseconds, and a live
stream's shutdown waits on it."""

CLIENT_CLOSED_REQUEST = 499
"""The status recorded for a request whose caller went away before it was answered
(nginx's convention): not a 500, since nothing failed on our side."""

access_log = logging.getLogger("trustfair.access")

current_request_id: ContextVar[str | None] = ContextVar("trustfair_request_id", default=None)
"""The id of the request being handled in this context (None outside a request).
Starlette's thread pool copies the context, so code run there sees it too."""


# -- metrics ---------------------------------------------------------------------------


class Metrics:
    """One app's metrics, in a registry of their own; ``exposition`` renders them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "trustfair_http_requests",
            "HTTP requests answered, by method, route (path template) and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "trustfair_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by method and route.",
            ["method", "route"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.events = Counter(
            "trustfair_events",
            "Events received by POST /v1/events, by outcome: accepted, duplicate, rejected.",
            ["outcome"],
            registry=self.registry,
        )
        # Stored up front, so a dashboard shows 0 rather than no data before the first event.
        self._events_by_outcome = {
            outcome: self.events.labels(outcome)
            for outcome in ("accepted", "duplicate", "rejected")
        }
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in KNOWN_METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route).observe(seconds)

    def count_events(self, counts: dict[str, int]) -> None:
        """Add a batch's ``IngestResult.counts()``."""
        self._events_by_outcome["accepted"].inc(counts.get("accepted", 0))
        self._events_by_outcome["duplicate"].inc(counts.get("duplicates", 0))
        self._events_by_outcome["rejected"].inc(counts.get("rejected", 0))

    def watch_outbox(self, dispatcher: OutboxDispatcher) -> None:
        """Expose the deliveries ``dispatcher`` has made, read from it at each scrape."""
        self.registry.register(_OutboxDeliveries(dispatcher))

    def exposition(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _OutboxDeliveries(Collector):
    """The dispatcher keeps its own running totals (it also runs without an app, in
    ``trustfair outbox deliver``); this reads them when Prometheus asks."""

    def __init__(self, dispatcher: OutboxDispatcher) -> None:
        self.dispatcher = dispatcher

    def collect(self) -> Iterator[CounterMetricFamily]:
        totals = self.dispatcher.totals
        family = CounterMetricFamily(
            "trustfair_outbox_deliveries",
            "Webhook deliveries of outbox commands tried, by outcome: delivered, failed "
            "(to be retried), gave_up (the last attempt failed).",
            labels=["outcome"],
        )
        family.add_metric(["delivered"], totals.delivered)
        family.add_metric(["failed"], totals.failed)
        family.add_metric(["gave_up"], totals.gave_up)
        yield family


# -- the middleware --------------------------------------------------------------------


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID if it is a sane token, else a new id."""
    for name, value in scope.get("headers") or ():
        if name == b"x-request-id":
            sent = value.decode("latin-1")
            if SANE_REQUEST_ID.fullmatch(sent):
                return sent
            break
    return uuid.uuid4().hex


def route_of(scope: Scope) -> str:
    """The path template of the route that took the request (``/v1/restrictions/
    {entity_type}/{entity_id}``), so that ids in paths do not each become a metric."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


def principal_of(scope: Scope) -> str | None:
    """Who the auth dependency found the caller to be, if it ran and found someone."""
    principal = (scope.get("state") or {}).get("principal")
    return getattr(principal, "actor", None)


class RequestObserver:
    """Pure ASGI middleware (no per-request Request object or task: the event stream
    sends hundreds of requests a second): request id, metrics and the access log."""

    def __init__(self, app: ASGIApp, metrics: Metrics, log_requests: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        answered = False
        failure: BaseException | None = None

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = True
                headers = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception as exc:
            failure = exc
            if not answered:
                # Answer here rather than leave it to Starlette's outer error handler,
                # so that even a 500 carries the id the caller can quote to us.
                await _server_error(send_with_request_id, scope, request_id)
            raise
        except BaseException:
            if not answered:
                status = CLIENT_CLOSED_REQUEST  # cancelled: the caller hung up first
            raise
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            self.metrics.observe_request(scope["method"], route, status, seconds)
            if self.log_requests:
                _log_request(scope, request_id, route, status, seconds, failure)
            current_request_id.reset(token)


async def _server_error(send: Send, scope: Scope, request_id: str) -> None:
    # A bug, not the caller's fault: JSON like every other error, naming the request,
    # never the exception's text (it may carry data).
    detail = f"internal error handling {scope['method']} {scope['path']}"
    body = json.dumps({"detail": detail, "request_id": request_id}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _log_request(
    scope: Scope,
    request_id: str,
    route: str,
    status: int,
    seconds: float,
    failure: BaseException | None,
) -> None:
    level = logging.ERROR if status >= 500 else logging.INFO
    if not access_log.isEnabledFor(level):
        return  # nobody listens: skip building the line
    client = scope.get("client")
    access_log.log(
        level,
        "%s %s %d",
        scope["method"],
        route,
        status,
        exc_info=failure,
        extra={
            "request_id": request_id,
            "method": scope["method"],
            "route": route,
            "path": scope.get("path"),
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "client": client[0] if client else None,
            "principal": principal_of(scope),
        },
    )


# -- JSON log lines --------------------------------------------------------------------

_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, msg, then whatever the call passed in
    ``extra`` (the access log's fields, the request id), and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        # ASCII: a line with a lone surrogate in it would otherwise fail to be written.
        return json.dumps(line, ensure_ascii=True, default=str)


class RequestIdFilter(logging.Filter):
    """Stamps the current request's id on each record that does not carry one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request_id = current_request_id.get()
            if request_id is not None:
                record.request_id = request_id
        return True


def log_json_lines(stream: IO[str] | None = None, level: int = logging.INFO) -> logging.Handler:
    """Write trustfair's log records (the access log among them) to ``stream`` (default
    stdout, where nothing else is written then) as JSON lines; the handler is returned."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("trustfair")
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # once, in JSON; not again in whatever the root logger prints
    return handler
