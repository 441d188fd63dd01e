"""The note box's @mention picker (inbox/mentions.js): people matching what follows the "@",
as JSON, with the text to insert that actions.team's MENTION parser reads back as them."""

import re

from django.db.models.functions import Lower
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from unsilo.inbox.views.queues import actor_of
from unsilo.org import queries as org_queries
from unsilo.org.models import Person

MENTION_CHOICES = 8
# A name the parser reads whole after "@": up to three words of letters, digits, ' and -.
PLAIN_NAME = re.compile(r"[\w'-]+(?: [\w'-]+){0,2}")


@require_GET
def mention_options(request):
    """`q`: the letters typed after "@" (one or more). People the reader may look up (org.view,
    as the people pages), active ones only, at most MENTION_CHOICES."""
    q = " ".join(request.GET.get("q", "").split())[:100]
    if not q:
        return JsonResponse({"people": []})
    found = list(org_queries.people(actor_of(request), q=q).filter(is_active=True)
                 [:MENTION_CHOICES])
    names = [p.name.lower() for p in found]
    shared = {name for name in names if names.count(name) > 1} | set(
        Person.objects.annotate(lname=Lower("name")).filter(lname__in=names, is_active=True)
        .exclude(pk__in=[p.pk for p in found]).values_list("lname", flat=True))
    return JsonResponse({"people": [{
        "name": p.name, "silo": p.silo.name, "title": p.title,
        # The name reads best; an email when the name is shared or the parser cannot read it.
        "mention": f"@{p.name}" if PLAIN_NAME.fullmatch(p.name) and p.name.lower() not in shared
        else f"@{p.email}",
    } for p in found]})
