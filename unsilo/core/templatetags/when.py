"""The one way a page shows a date: {{ at|when }} (the full date, core/dates.py) and, where a
page counts time, {{ at|ago }} ("5 min ago", the full date in its title)."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from unsilo.core import dates

register = template.Library()


@register.filter
def when(value):
    """<time> with the full date; '' for no date (so |default: works)."""
    if not value:
        return ""
    return format_html('<time datetime="{}">{}</time>', dates.machine(value), dates.full(value))


@register.filter
def ago(value):
    """<time> saying how long ago, the full date in its title."""
    if not value:
        return ""
    return format_html('<time datetime="{}" title="{}">{} ago</time>', dates.machine(value),
                       dates.full(value), dates.span(timezone.now() - value))
