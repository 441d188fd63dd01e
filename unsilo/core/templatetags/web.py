"""`{{ value|web_url }}`: a URL from data, or "" when it is not http(s) (core/weburl.py)."""

from django import template

from unsilo.core.weburl import web_url as _web_url

register = template.Library()


@register.filter
def web_url(value) -> str:
    return _web_url(value)
