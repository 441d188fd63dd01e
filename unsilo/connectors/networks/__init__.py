"""Connector plug-ins: importing this package registers each one."""

from unsilo.connectors.networks import demo  # noqa: F401
