"""Finding connectors: the entry-point group `unsilo.connectors`, plus UNSILO_CONNECTORS.

An installed package adds a network by declaring, in its pyproject.toml,

    [project.entry-points."unsilo.connectors"]
    mynetwork = "my_package.connector:MyNetworkConnector"

The environment variable UNSILO_CONNECTORS ("name=module:Class,…") adds more without
installing a package (development, benchmarks). A connector whose import fails is left out
with the reason in `broken()`, so one bad plug-in never stops the others.
"""

import functools
import importlib
import importlib.metadata
import logging
import os

from django.conf import settings

from unsilo.connectors.base import Connector

GROUP = "unsilo.connectors"
log = logging.getLogger("unsilo.connectors")

_broken: dict[str, str] = {}


def _specs() -> dict[str, str]:
    specs = {ep.name: ep.value for ep in importlib.metadata.entry_points(group=GROUP)}
    for item in os.environ.get("UNSILO_CONNECTORS", "").split(","):
        name, _, value = item.strip().partition("=")
        if name and value:
            specs[name.strip()] = value.strip()
    return specs


def _load(value: str) -> type[Connector]:
    module, _, attr = value.partition(":")
    found = importlib.import_module(module)
    for part in attr.split("."):
        found = getattr(found, part)
    return found


@functools.cache
def connectors() -> dict[str, Connector]:
    """Every connector that loads, by network name, one instance each."""
    loaded: dict[str, Connector] = {}
    for name, value in sorted(_specs().items()):
        try:
            cls = _load(value)
            instance = cls()
        except Exception as error:  # noqa: BLE001 - a broken plug-in must not stop the rest
            _broken[name] = f"{type(error).__name__}: {error}"
            log.warning("connector %s (%s) did not load: %s", name, value, _broken[name])
            continue
        loaded[name] = instance
    return loaded


def stand_in() -> Connector | None:
    """The connector that answers for unconnected accounts in `unsilo demo`, else None."""
    if not settings.UNSILO_DEMO_DELIVERY:
        return None
    return _load(settings.UNSILO_STAND_IN_CONNECTOR)


def connector(network: str) -> Connector | None:
    return connectors().get(network)


def broken() -> dict[str, str]:
    connectors()
    return dict(_broken)


def reload() -> None:
    """Forget what was loaded (tests that change UNSILO_CONNECTORS)."""
    connectors.cache_clear()
    _broken.clear()
