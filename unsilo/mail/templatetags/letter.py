"""The text part's one filter: a block of someone's words wrapped and indented under its
heading, every line of it (Django's wordwrap indents none)."""

import textwrap

from django import template

register = template.Library()


@register.filter
def indented(text: str, width: int = 76) -> str:
    lines = []
    for line in str(text).splitlines() or [""]:
        lines += textwrap.wrap(line, width - 2, break_long_words=False,
                               break_on_hyphens=False) or [""]
    return "\n".join("  " + line if line else "" for line in lines)
