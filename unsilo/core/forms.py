"""Forms of the Admin area (audit filters, logins, tokens) and the shared error mapping."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from unsilo.core.models import Role, Via
from unsilo.core.queries import AuditFilters


def add_action_errors(form: forms.Form, error: ValidationError, rename: dict | None = None) -> None:
    """Show an action's ValidationError on the form: on the field it names, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    rename = rename or {}
    for name, errors in error.error_dict.items():
        name = rename.get(name, name)
        target = name if name in form.fields else None
        messages = [m for e in errors for m in e.messages]
        if target is None and name != NON_FIELD_ERRORS:
            messages = [f"{name.replace('_', ' ')}: {m}" for m in messages]
        form.add_error(target, messages)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Who (email contains)")
    via = forms.ChoiceField(required=False, choices=[("", "Any")] + Via.choices)
    action = forms.CharField(required=False, help_text="create, update, delete…")
    object_type = forms.ChoiceField(required=False, label="Object type")
    silo = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    q = forms.CharField(required=False, label="Object name contains")

    def __init__(self, data, *, object_types, silos):
        super().__init__(data)
        self.fields["object_type"].choices = [("", "Any")] + list(object_types)
        self.fields["silo"].choices = [("", "Any")] + [(s.pk, s.name) for s in silos]
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> AuditFilters:
        """The valid filters; an invalid one (a bad date) is ignored and shown on the form."""
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return AuditFilters(
            actor_email=data.get("actor") or "",
            via=data.get("via") or "",
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            silo_id=data.get("silo"),
            since=data.get("since"),
            until=data.get("until"),
            q=data.get("q") or "",
        )


class LoginCreateForm(forms.Form):
    email = forms.EmailField(help_text="The email of a person already in the organisation.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.RESPONDER)
    password = forms.CharField(
        label="Initial password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password. Share it privately.",
    )

    def __init__(self, *args, find_person, **kwargs):
        super().__init__(*args, **kwargs)
        self.find_person = find_person

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        person = self.find_person(email)
        if person is None:
            raise ValidationError(f"No person with the email {email} is in the organisation.")
        if hasattr(person, "user"):
            raise ValidationError(f"{person.name} already has a login.")
        self.person = person
        return email


class LoginEditForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    is_active = forms.BooleanField(
        required=False, label="Active", help_text="An inactive login cannot log in or use tokens."
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What uses it, such as “nightly export script”."
    )
