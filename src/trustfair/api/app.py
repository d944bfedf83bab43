"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from trustfair import __version__
from trustfair.api import events, moderate
from trustfair.pipeline.registry import Registry, build_registry
from trustfair.store.database import Store
from trustfair.text.holder import EngineHolder, default_holder


def create_app(
    store: Store | None = None,
    registry: Registry | None = None,
    engine_holder: EngineHolder | None = None,
) -> FastAPI:
    app = FastAPI(
        title="trustfair",
        version=__version__,
        description="Trust and governance for live-stream e-commerce marketplaces.",
    )
    app.state.store = store or Store.open()
    app.state.registry = registry or build_registry()
    app.state.engine_holder = engine_holder or default_holder()
    app.include_router(events.router)
    app.include_router(moderate.router)

    @app.get("/v1/health", tags=["ops"])
    def health() -> dict[str, str]:
        return {
            "status": "ok",
            "store": app.state.store.dialect,
            "lexicon_version": app.state.engine_holder.current().version,
        }

    return app
