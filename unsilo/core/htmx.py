"""Shared helpers for pages that htmx swaps in part."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from unsilo.core.ids import parse_id


def wants_partial(request) -> bool:
    """An htmx swap gets only the changing part; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_swappable(request, template: str, partial: str, context: dict):
    """The whole page, or only its `partial` (django-template-partials) for an htmx swap."""
    name = f"{template}#{partial}" if wants_partial(request) else template
    response = render(request, name, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def int_or_none(value) -> int | None:
    """A query-string id, or None when it is missing, not a number or beyond any row's id."""
    return parse_id(value)
