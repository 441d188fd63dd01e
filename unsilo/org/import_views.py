"""Import people from a CSV in the web UI: upload, see every error or a preview, confirm, watch.

Only the hub may import (org.import_people); the actions check it, so others get a 403.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unsilo.core.actor import Actor
from unsilo.core.htmx import render_swappable
from unsilo.org import import_actions
from unsilo.org.importer_checks import COLUMNS

MAX_UPLOAD = 64 * 1024 * 1024  # the settings' in-memory upload limit


class PeopleCsvForm(forms.Form):
    file = forms.FileField(
        label="People CSV",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv",
                                      "aria-describedby": "file-help"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError("The file is larger than 64 MB: split it and import each part.")
        return upload


@require_http_methods(["GET", "POST"])
def upload(request):
    actor = Actor.for_user(request.user)
    form = PeopleCsvForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        record, plan = import_actions.check_people_import(actor, file.name, file.read())
        if record is not None:
            return redirect("people_import:detail", pk=record.pk)
        errors = plan.errors
    return render(request, "org/import.html", {
        "form": form, "errors": errors, "columns": COLUMNS,
        "recent": import_actions.recent_imports(actor),
    })


@require_GET
def detail(request, pk: int):
    record = import_actions.people_import(Actor.for_user(request.user), pk)
    return render_swappable(request, "org/import_detail.html", "status", {"record": record})


@require_POST
def confirm(request, pk: int):
    try:
        import_actions.confirm_people_import(Actor.for_user(request.user), pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("people_import:detail", pk=pk)
