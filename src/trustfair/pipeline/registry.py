"""Where detectors, projectors and effects are registered and found.

Plug-ins register a factory with a decorator in their own module; ``build_registry``
imports the plug-in packages (``PLUGIN_PACKAGES``: ``trustfair.project``,
``trustfair.detect``, the effects of ``cases``, ``enforce`` and ``protect`` …) and builds
one instance of each from the settings. Rules are not plug-ins: they are data, in the policy file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from trustfair.pipeline.interfaces import Detector, Effect, Policy, Projector
from trustfair.settings import Settings

PLUGIN_PACKAGES = (
    "trustfair.project",
    "trustfair.detect",
    "trustfair.cases.effects",
    "trustfair.enforce.effects",
    "trustfair.enforce.live_risk",
    "trustfair.protect.coverage",
    "trustfair.protect.effects",
    "trustfair.brand.effects",
    "trustfair.voice.projection",
    "trustfair.voice.tickets",
    "trustfair.merchant.effects",
)

T = TypeVar("T")
Factory = Callable[[Settings], T]

_detector_factories: dict[str, Factory[Detector]] = {}
_effect_factories: dict[str, Factory[Effect]] = {}
_projector_factories: dict[str, Factory[Projector]] = {}


def _register(table: dict[str, Factory[T]], what: str, name: str):
    def decorator(factory: Factory[T]) -> Factory[T]:
        if name in table:
            raise ValueError(f"{what} {name!r} is registered twice")
        table[name] = factory
        return factory

    return decorator


def register_detector(name: str):
    """Register ``factory(settings) -> Detector`` under ``name``."""
    return _register(_detector_factories, "detector", name)


def register_projector(name: str):
    """Register ``factory(settings) -> Projector`` under ``name``."""
    return _register(_projector_factories, "projector", name)


def register_effect(kind: str):
    """Register ``factory(settings) -> Effect`` for actions of ``kind``."""
    return _register(_effect_factories, "effect", kind)


def load_plugins() -> None:
    for package in PLUGIN_PACKAGES:
        importlib.import_module(package)


@dataclass
class Registry:
    detectors: list[Detector]
    policy: Policy
    effects: dict[str, Effect]
    settings: Settings
    projectors: list[Projector] = field(default_factory=list)
    """Run on each batch before the detectors, so they can read what was projected."""
    _by_type: dict[str, list[Detector]] = field(default_factory=dict, repr=False)

    def detectors_for(self, event_type: str) -> list[Detector]:
        found = self._by_type.get(event_type)
        if found is None:
            found = [d for d in self.detectors if event_type in d.event_types]
            self._by_type[event_type] = found
        return found

    def effect(self, kind: str) -> Effect:
        try:
            return self.effects[kind]
        except KeyError:
            raise LookupError(
                f"no effect for action {kind!r}; known: {sorted(self.effects)}"
            ) from None


def build_projectors(settings: Settings) -> list[Projector]:
    """Every registered projector, built for ``settings`` (without the rest)."""
    load_plugins()
    return [factory(settings) for _, factory in sorted(_projector_factories.items())]


def build_registry(settings: Settings | None = None, policy: Policy | None = None) -> Registry:
    """Every registered plug-in, built for ``settings``; ``policy`` defaults to the policy
    file the settings name (the bundled default policy when they name none)."""
    from trustfair.policy.files import active_policy

    settings = settings or Settings.from_env()
    load_plugins()
    return Registry(
        detectors=[factory(settings) for _, factory in sorted(_detector_factories.items())],
        policy=policy or active_policy(settings),
        effects={kind: factory(settings) for kind, factory in sorted(_effect_factories.items())},
        settings=settings,
        projectors=build_projectors(settings),
    )
