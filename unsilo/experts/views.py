"""Find an expert in the web UI: a question in, people of every silo out, ranked by what they
have shown they can answer (experts/ranking.py), with the reasons and whether they are
available now. POST, so a pasted customer message stays out of URLs and logs; htmx swaps only
the results."""

from django.views.decorators.http import require_http_methods

from unsilo.core.actor import Actor
from unsilo.core.htmx import render_swappable
from unsilo.core.permissions import require
from unsilo.experts import ranking
from unsilo.experts.forms import FindForm

SHOWN = 20


@require_http_methods(["GET", "POST"])
def find(request):
    actor = Actor.for_user(request.user)
    require(actor, "org.find_experts")
    form = FindForm(request.POST or None)
    found = None
    if form.is_valid():
        found = ranking.find(actor, form.cleaned_data["q"], limit=SHOWN,
                             available_only=form.cleaned_data["available"])
    return render_swappable(request, "experts/find.html", "results",
                            {"form": form, "ranking": found})
