"""Every href or src a template fills from a variable is either a URL unsilo builds itself or
goes through the `web_url` filter (core/weburl.py), so data never becomes a javascript: link."""

import re
from pathlib import Path

import unsilo

# URLs the views build from reverse() and query strings, never from stored data; `back` is a
# page of this site or the Outbox (connectors/views/outbox.py `_safe_next`); `n.link`, a
# notification's path from reverse(), only ever a path of this site (inbox/notify.py `unsaved`).
BUILT_BY_UNSILO = {"item.url", "t.url", "c.url", "next_url", "api_docs", "live_url", "action",
                   "back", "n.link"}
FILLED = re.compile(r"""\b(href|src|action|hx-get|hx-post)=["']?"""
                    r"""\{\{\s*([^}|\s]+)\s*(\|[^}]*)?\}\}""")


def test_every_link_filled_from_a_variable_is_built_by_unsilo_or_checked():
    root = Path(unsilo.__file__).parent
    unchecked = []
    for template in sorted(root.glob("**/templates/**/*.html")):
        text = template.read_text()
        for attribute, name, filters in FILLED.findall(text):
            if name in BUILT_BY_UNSILO or "web_url" in (filters or ""):
                continue
            if name == "link" and re.search(r"with link=[\w.]+\|web_url", text):
                continue
            unchecked.append(f"{template.relative_to(root)}: {attribute}={{{{ {name} }}}}")
    assert unchecked == [], "pass URLs from data through |web_url"


def test_the_check_sees_a_link_from_data():
    assert FILLED.findall('<a href="{{ m.url }}">') == [("href", "m.url", "")]
