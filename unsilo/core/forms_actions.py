"""A form page's POST in one place: a valid form calls one action, the action's refusal shows on
the form, and success says so on the next page.

    form = SiloForm(actor, request.POST or None)
    if new := submit(request, form, lambda: actions.create_silo(actor, **form.to_data())):
        return success(request, f"Silo {new.name} created.", "org:silo", slug=new.slug)
    return render(request, "org/silo_form.html", {"form": form})
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect

from unsilo.core.forms import add_action_errors


def submit(request, form: forms.Form, action: Callable, *, rename: dict | None = None,
           instance: models.Model | None = None):
    """What `action()` returns, called when `request` is a POST and `form` is valid.

    None means the page shows the form again: a GET, input the form refuses, or the action's
    ValidationError, now on the form (`rename` maps the action's field names to the form's).
    `instance`, the object the action changes, is read again from the database after a refusal
    so the page does not show the refused values as its own.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action()
    except ValidationError as error:
        if instance is not None:
            instance.refresh_from_db()
        add_action_errors(form, error, rename=rename)
        return None


def success(request, message: str, to, *args, **kwargs):
    """Redirect to `to` (a URL name, with its arguments, or a URL) showing `message` there."""
    messages.success(request, message)
    return redirect(to, *args, **kwargs)
