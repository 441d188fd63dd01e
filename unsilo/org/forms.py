"""Forms for silos, people and seats. They parse input; the actions decide and write."""

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.core.exceptions import ValidationError

from unsilo.core.actor import Actor
from unsilo.org import queries, queries_pages
from unsilo.org.models import Person, SeatRole, Silo, SiloKind


def split_list(text: str) -> list[str]:
    """'python; crisis comms, German' -> ['python', 'crisis comms', 'German'], no repeats."""
    items = [item.strip() for item in re.split(r"[;,]", text or "")]
    return list(dict.fromkeys(item for item in items if item))


class OrgForm(forms.Form):
    def __init__(self, *args, **kwargs):
        # Labels read as in the rest of the app: "Email", not "Email:".
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SiloForm(OrgForm):
    """Everything about a silo: for the hub, which shapes the organisation."""

    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=SiloKind.choices, initial=SiloKind.DEPARTMENT)
    parent = forms.ModelChoiceField(
        queryset=Silo.objects.none(), required=False, empty_label="(none: a top-level silo)",
        help_text="A region can hold departments.",
    )
    description = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, actor: Actor, *args, silo: Silo | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = queries.silos(actor).order_by("name")
        if silo is not None:
            choices = choices.exclude(pk=silo.pk)
        self.fields["parent"].queryset = choices

    def to_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "kind", "parent", "description")}


class SiloDescriptionForm(OrgForm):
    """What a silo's captain may change about their silo."""

    description = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, actor: Actor, *args, silo: Silo | None = None, **kwargs):
        super().__init__(*args, **kwargs)

    def to_data(self) -> dict:
        return {"description": self.cleaned_data["description"]}


class PersonForm(OrgForm):
    name = forms.CharField(max_length=200)
    email = forms.EmailField()
    title = forms.CharField(max_length=200, required=False)
    silo = forms.ModelChoiceField(queryset=Silo.objects.none(), empty_label=None)
    skills = forms.CharField(
        required=False, help_text="Separate with semicolons or commas: crisis comms; python."
    )
    languages = forms.CharField(
        required=False, help_text="Separate with semicolons or commas: en; de."
    )
    timezone = forms.CharField(
        label="Time zone", max_length=64, initial="UTC",
        help_text="An IANA time zone, such as Europe/Berlin."
    )
    manager_email = forms.EmailField(
        label="Manager's email", required=False, help_text="Leave empty for no manager."
    )
    capacity = forms.IntegerField(
        min_value=0, initial=10, help_text="How many open conversations they can hold at once."
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, actor: Actor, *args, person: Person | None = None, **kwargs):
        if person is not None:
            kwargs.setdefault("initial", {}).update(
                {
                    "name": person.name, "email": person.email, "title": person.title,
                    "silo": person.silo_id, "skills": "; ".join(person.skills),
                    "languages": "; ".join(person.languages), "timezone": person.timezone,
                    "manager_email": person.manager.email if person.manager_id else "",
                    "capacity": person.capacity, "is_active": person.is_active,
                }
            )
        super().__init__(*args, **kwargs)
        self.actor = actor
        # Offer only the silos where this user may manage people (a captain: their own); any
        # other silo is left for the action to refuse, so the refusal is a 403, not a form error.
        self.fields["silo"].queryset = queries.silos(actor).select_related(None)
        self.fields["silo"].widget.choices = [
            (s.pk, s.name) for s in queries_pages.silos_where(actor, "org.manage_people")
        ]

    def clean_skills(self):
        return split_list(self.cleaned_data["skills"])

    def clean_languages(self):
        return split_list(self.cleaned_data["languages"])

    def clean_timezone(self):
        name = self.cleaned_data["timezone"].strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(f"{name!r} is not a time zone; try Europe/Berlin or UTC.") \
                from error
        return name

    def clean_manager_email(self):
        email = self.cleaned_data["manager_email"].strip().lower()
        if not email:
            return None
        manager = queries.people(self.actor).filter(email=email).first()
        if manager is None:
            raise ValidationError(f"Nobody in the directory has the email {email}.")
        return manager

    def to_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "manager_email"}
        data["manager"] = self.cleaned_data["manager_email"]
        return data


class SeatForm(OrgForm):
    """Seat a person of this silo as captain or delegate, chosen by email."""

    email = forms.EmailField(
        label="Person's email", help_text="Someone in this silo or one of the silos it holds."
    )
    role = forms.ChoiceField(label="Seat role", choices=SeatRole.choices,
                             initial=SeatRole.DELEGATE)

    def __init__(self, actor: Actor, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["email"].widget.attrs.update({"list": "seat-people", "autocomplete": "off"})

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        person = queries.people(self.actor).filter(email=email).first()
        if person is None:
            raise ValidationError(f"Nobody in the directory has the email {email}.")
        self.person = person
        return email
