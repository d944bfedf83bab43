"""The FastAPI application."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from trustfair import __version__, console
from trustfair.api import (
    appeals,
    bank,
    cases,
    complaints,
    courses,
    decisions,
    entities,
    events,
    images,
    listening,
    live,
    merchant_support,
    moderate,
    policies,
    protection,
    reports,
    restrictions,
    rights,
    session,
    tickets,
    urges,
    users,
    webhooks,
)
from trustfair.api.observability import Metrics, RequestObserver
from trustfair.brand.clock import Clock, SystemClock
from trustfair.brand.timers import complaint_timer_loop
from trustfair.events.group_commit import GroupCommitter
from trustfair.merchant.timers import fulfilment_loop
from trustfair.pipeline.loops import EveryLoop
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.store.database import Store
from trustfair.text.detectors.base import warm_up
from trustfair.text.holder import EngineHolder, default_holder
from trustfair.voice.timers import ticket_timer_loop

if TYPE_CHECKING:
    from trustfair.pipeline.outbox import OutboxDispatcher


class Health(BaseModel):
    status: str
    store: str = Field(description="The store's dialect: sqlite or postgresql.")
    lexicon_version: str


def create_app(
    store: Store | None = None,
    registry: Registry | None = None,
    engine_holder: EngineHolder | None = None,
    dispatcher: OutboxDispatcher | None = None,
    access_log: bool = True,
    clock: Clock | None = None,
    complaint_timers_seconds: float | None = None,
    ticket_timers_seconds: float | None = None,
    fulfilment_seconds: float | None = None,
) -> FastAPI:
    """The API; with ``dispatcher``, the outbox is delivered while the app runs, and
    woken by every ingest that commits an outbox row. ``access_log``: write a JSON line
    per request to the ``trustfair.access`` logger (metrics are kept either way).
    ``clock`` is what complaint steps take as now (a ``SettableClock`` in tests); with
    ``complaint_timers_seconds``, the complaint timers run that often while the app runs,
    with ``ticket_timers_seconds`` the ticket SLA escalations, and with
    ``fulfilment_seconds`` the fulfilment watcher (urges, missed deadlines)."""
    timers: EveryLoop | None = None
    ticket_timers: EveryLoop | None = None
    watcher: EveryLoop | None = None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Load the word segmenter now, not in the first request that needs it (a second
        # and more, which a live stream's first risky line would wait for).
        await run_in_threadpool(warm_up)
        nonlocal timers, ticket_timers, watcher
        if dispatcher is not None:
            dispatcher.start()
        if complaint_timers_seconds:
            timers = complaint_timer_loop(
                app.state.store, app.state.registry, app.state.clock, complaint_timers_seconds
            )
            timers.start()
        if ticket_timers_seconds:
            ticket_timers = ticket_timer_loop(
                app.state.store, app.state.clock, ticket_timers_seconds
            )
            ticket_timers.start()
        if fulfilment_seconds:
            watcher = fulfilment_loop(
                app.state.store, app.state.registry, app.state.clock, fulfilment_seconds
            )
            watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                watcher.close()
            if timers is not None:
                timers.close()
            if ticket_timers is not None:
                ticket_timers.close()
            app.state.committer.close()
            if dispatcher is not None:
                dispatcher.close()

    app = FastAPI(
        title="trustfair",
        version=__version__,
        description="Trust and governance for live-stream e-commerce marketplaces.",
        lifespan=lifespan,
    )
    app.state.store = store or Store.open()
    app.state.registry = registry or build_registry()
    app.state.committer = GroupCommitter(app.state.store, app.state.registry)
    app.state.engine_holder = engine_holder or default_holder()
    app.state.metrics = Metrics()
    app.state.clock = clock or SystemClock()
    if dispatcher is not None:
        app.state.metrics.watch_outbox(dispatcher)
    app.add_middleware(RequestObserver, metrics=app.state.metrics, log_requests=access_log)
    for module in (
        events,
        moderate,
        restrictions,
        session,
        cases,
        appeals,
        entities,
        decisions,
        policies,
        reports,
        webhooks,
        live,
        users,
        protection,
        bank,
        rights,
        complaints,
        images,
        listening,
        tickets,
        courses,
        urges,
        merchant_support,
    ):
        app.include_router(module.router)
    console.mount(app)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own handler echoes the input back, and cannot encode an input with
        # a lone surrogate: it would answer 500. Say what and where, without the input.
        errors = [
            {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
            for error in exc.errors()
        ]
        body = json.dumps({"detail": errors}, ensure_ascii=True, default=str)
        return Response(body, status_code=422, media_type="application/json")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail
        # The router's own 404 and 405 say only "Not Found": say where as well.
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such endpoint: {request.url.path}"
        elif exc.status_code == 405 and detail == "Method Not Allowed":
            detail = f"{request.method} is not allowed on {request.url.path}"
        return JSONResponse({"detail": detail}, exc.status_code, headers=exc.headers)

    # A 500 is answered by observability.RequestObserver: JSON naming the request, with
    # the request id to quote.

    @app.get("/v1/health", tags=["ops"], response_model=Health)
    def health() -> dict[str, str]:
        return {
            "status": "ok",
            "store": app.state.store.dialect,
            "lexicon_version": app.state.engine_holder.current().version,
        }

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        # No credentials: a Prometheus scraper has none. Nothing here names a party.
        body, content_type = app.state.metrics.exposition()
        return Response(body, headers={"Content-Type": content_type})

    return app
