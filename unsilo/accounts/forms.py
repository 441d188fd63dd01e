"""Forms of the account registry: filters, and registering or editing an account."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from unsilo.accounts import queries
from unsilo.accounts.models import AccountStatus
from unsilo.connectors import registry
from unsilo.core.actor import Actor
from unsilo.core.permissions import can
from unsilo.org import queries as org_queries


class AccountFilterForm(forms.Form):
    silo = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                  label="Owning silo")
    network = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "Any")] + AccountStatus.choices
                               + [("overdue", "Confirmation overdue")])
    q = forms.CharField(required=False, label="Handle or name")

    def __init__(self, data, *, silos):
        super().__init__(data)
        self.fields["silo"].choices = [("", "Any")] + [(s.pk, s.name) for s in silos]
        self.fields["network"].choices = [("", "Any")] + registry.choices()
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> dict:
        """The valid filters as keyword arguments of `queries.accounts`; bad ones are dropped."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return {
            "silo": data.get("silo"),
            "network": data.get("network") or "",
            "status": data.get("status") or "",
            "q": data.get("q") or "",
        }


def split_emails(text: str) -> list[str]:
    """Emails separated by commas, semicolons, spaces or new lines, lowercased, in order, once."""
    seen = []
    for part in re.split(r"[\s,;]+", text or ""):
        email = part.strip().lower()
        if email and email not in seen:
            seen.append(email)
    return seen


class AccountForm(forms.Form):
    network = forms.ChoiceField()
    handle = forms.CharField(
        max_length=200, help_text="As it appears on the network, e.g. acme.bsky.social."
    )
    display_name = forms.CharField(max_length=200, required=False, label="Display name")
    owner_silo = forms.ModelChoiceField(queryset=None, required=False, label="Owning silo",
                                        empty_label="— none (unregistered) —")
    status = forms.ChoiceField(choices=AccountStatus.choices, initial=AccountStatus.PENDING)
    stewards = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Emails of the people who look after it, one per line or comma-separated. "
                  "A registered account needs at least two.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, actor: Actor, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.account = account
        self.fields["network"].choices = registry.choices()
        # Only silos this person may register accounts for (and the account's current owner).
        owner = self.fields["owner_silo"]
        silos = org_queries.silos(actor).order_by("name")
        if not can(actor, "accounts.manage"):  # not everywhere: only the silos in reach
            allowed = [s.pk for s in silos if can(actor, "accounts.manage", s.pk)]
            if account is not None and account.owner_silo_id:
                allowed.append(account.owner_silo_id)
            silos = silos.filter(pk__in=allowed)
            # Accounts nobody owns are the hub's to record.
            owner.required, owner.empty_label = True, None
            owner.error_messages["invalid_choice"] = (
                "You may register accounts only for the silos you manage."
            )
        owner.queryset = silos

    @classmethod
    def initial_for(cls, account) -> dict:
        return {
            "network": account.network, "handle": account.handle,
            "display_name": account.display_name, "owner_silo": account.owner_silo_id,
            "status": account.status, "notes": account.notes,
            "stewards": "\n".join(p.email for p in account.stewards.all()),
        }

    def clean_handle(self):
        return self.cleaned_data["handle"].strip()

    def clean_stewards(self):
        emails = split_emails(self.cleaned_data["stewards"])
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                bad.append(email)
        if bad:
            raise ValidationError(f"Not an email address: {', '.join(bad)}.")
        found = org_queries.people(self.actor).filter(email__in=emails)
        people = {p.email.lower(): p for p in found}
        unknown = [e for e in emails if e not in people]
        if unknown:
            raise ValidationError(
                f"No person with the email {', '.join(unknown)} is in the organisation."
            )
        self.steward_ids = [people[e].pk for e in emails]
        return emails

    def clean(self):
        data = super().clean()
        network, handle = data.get("network"), data.get("handle")
        if network and handle:
            same = queries.accounts(self.actor, network=network).filter(handle__iexact=handle)
            if self.account is not None:
                same = same.exclude(pk=self.account.pk)
            if same.exists():
                label = dict(registry.choices()).get(network, network)
                self.add_error("handle", f"{handle} on {label} is already in the registry.")
        return data

    def account_data(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("network", "handle", "display_name", "owner_silo",
                                     "status", "notes")}


class AccountRequestForm(forms.Form):
    """Ask the hub for an account; a claim fixes the network and handle it was found under."""

    network = forms.ChoiceField()
    handle = forms.CharField(max_length=200, help_text=AccountForm.base_fields["handle"].help_text)
    display_name = forms.CharField(max_length=200, required=False, label="Display name")
    owner_silo = forms.ModelChoiceField(queryset=None, label="Owning silo", empty_label=None)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What the account is for and who it speaks to.")
    stewards = AccountForm.base_fields["stewards"]
    clean_stewards = AccountForm.clean_stewards

    def __init__(self, *args, actor: Actor, claim=None, **kwargs):
        if claim is not None:
            kwargs["initial"] = {"network": claim.network, "handle": claim.handle,
                                 "display_name": claim.display_name}
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["network"].choices = registry.choices()
        silos = org_queries.silos(actor).order_by("name")
        allowed = [s.pk for s in silos if can(actor, "accounts.request", s.pk)]
        self.fields["owner_silo"].queryset = silos.filter(pk__in=allowed)
        if claim is not None:  # the claim's network and handle are what was found
            self.fields["network"].disabled = self.fields["handle"].disabled = True

    def request_data(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("network", "handle", "display_name", "owner_silo",
                                     "purpose")}
