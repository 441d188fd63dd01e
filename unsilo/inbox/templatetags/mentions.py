"""A note as a page shows it: {{ note|note_text }} is its text escaped, line breaks kept, and
each @mention that named someone (the note's `mentions`, found by actions.team's parser) a
link to that person's page. Nothing else in the text becomes a link."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from unsilo.inbox.actions.team import mention_spans

register = template.Library()


def _plain(text: str) -> str:
    return linebreaksbr(text, autoescape=True) if text else ""


@register.filter
def note_text(note) -> str:
    people = {}
    for person in note.mentions.all():  # prefetched by queries.thread
        people[person.email.lower()] = person
        people.setdefault(person.name.lower(), person)
    text, out, at = note.text, [], 0
    for start, options in mention_spans(text) if people else ():
        hit = next(((people[key], end) for key, end in options if key in people), None)
        if hit is None or start < at:
            continue
        person, end = hit
        out.append(_plain(text[at:start]))
        out.append(format_html('<a class="mention" href="{}">{}</a>',
                               reverse("org:person", args=[person.pk]), text[start:end]))
        at = end
    out.append(_plain(text[at:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above
