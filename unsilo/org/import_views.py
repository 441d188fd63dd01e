"""Import people or silos from a CSV in the web UI: upload, see every error or a preview,
confirm (and for people, watch the background import).

Only the hub may import (org.import_people, org.manage_silos); the actions check it, so others
get a 403.
"""

import base64
import binascii

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unsilo.core.actor import Actor
from unsilo.core.forms_actions import success
from unsilo.core.htmx import render_swappable
from unsilo.core.permissions import require
from unsilo.org import import_actions
from unsilo.org.importer_checks import COLUMNS
from unsilo.org.silo_import import KINDS

MAX_UPLOAD = 64 * 1024 * 1024  # the settings' in-memory upload limit
# A silos file names each silo once: a megabyte is thousands of them.
MAX_SILOS_UPLOAD = 1024 * 1024


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


# Silos ----------------------------------------------------------------------------------------


class SilosCsvForm(forms.Form):
    file = forms.FileField(
        label="Silos CSV",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv",
                                      "aria-describedby": "file-help"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SILOS_UPLOAD:
            raise ValidationError("The file is larger than 1 MB: is it the silos file?")
        return upload


class SilosConfirmForm(forms.Form):
    """The checked file, sent back with the confirmation (base64: byte for byte)."""

    content = forms.CharField(widget=forms.HiddenInput, max_length=2 * MAX_SILOS_UPLOAD)
    filename = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def clean_content(self):
        try:
            return base64.b64decode(self.cleaned_data["content"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError("The file did not come back whole: upload it again.") from error


@require_http_methods(["GET", "POST"])
def silos(request):
    actor = Actor.for_user(request.user)
    require(actor, "org.manage_silos")
    confirm_form = SilosConfirmForm(request.POST if "content" in request.POST else None)
    if confirm_form.is_valid():
        name = confirm_form.cleaned_data["filename"]
        try:
            done = import_actions.import_silos(actor, confirm_form.cleaned_data["content"])
        except ValidationError as error:
            messages.error(request, "Nothing was imported: " + " ".join(error.messages))
            return redirect("org:silo_import")
        return success(request, f"Imported {name}: {len(done.created)} created, "
                                f"{len(done.updated)} updated, {done.unchanged} unchanged.",
                       "org:table")
    form = SilosCsvForm(None if confirm_form.is_bound else request.POST or None,
                        request.FILES or None)
    plan, content, filename = None, "", ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data["file"].read()
        plan = import_actions.check_silos_import(actor, data)
        content, filename = base64.b64encode(data).decode(), form.cleaned_data["file"].name
    return render(request, "org/import_silos.html", {
        "form": form, "plan": plan, "content": content, "filename": filename[:255],
        "kinds": KINDS, "confirm_errors": confirm_form.errors if confirm_form.is_bound else {},
    })
