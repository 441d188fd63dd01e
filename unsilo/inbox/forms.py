"""Forms of the conversation page: each feeds one action in unsilo/inbox/actions/conversation.py."""

from django import forms
from django.urls import reverse_lazy

from unsilo.accounts.models import Account
from unsilo.connectors import registry
from unsilo.inbox.models import Risk, RuleTarget, Sentiment, Urgency
from unsilo.inbox.routing import safety
from unsilo.org.models import Person, Silo


class ReplyForm(forms.Form):
    prefix = "reply"
    text = forms.CharField(label="Reply to the customer", widget=forms.Textarea(
        {"rows": 4, "aria-describedby": "id_reply-text-counter"}))
    # The newest message the writer had seen: a reply after it by someone else is a collision.
    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)
    force = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    prefix = "note"
    text = forms.CharField(
        label="Internal note",
        # inbox/mentions.js offers people as "@" is typed (views/mentions.py).
        widget=forms.Textarea({"rows": 3, "data-mentions": reverse_lazy("inbox:mention_options")}),
        help_text="Never sent to the customer. Mention someone with @email or @First Last: "
                  "they are notified. Type @ and a few letters to pick them.")


class AnswerForm(forms.Form):
    prefix = "answer"
    text = forms.CharField(label="Your answer", widget=forms.Textarea({"rows": 3}))
    as_reply = forms.BooleanField(required=False,
                                  label="Send it to the customer (otherwise an internal note)")

    def __init__(self, *args, may_reply=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_reply:
            # The expert's role may not answer customers: the answer is a note.
            del self.fields["as_reply"]

    def clean(self):
        data = super().clean()
        data.setdefault("as_reply", False)
        return data


class AssignForm(forms.Form):
    prefix = "assign"
    person = forms.TypedChoiceField(label="Assign to", coerce=int, empty_value=None,
                                    required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Nobody (the silo's queue)")] + [
            (p.pk, f"{p.name} — {p.load} open / {p.capacity}") for p in people]


class ConsultForm(forms.Form):
    prefix = "consult"
    expert = forms.CharField(
        label="Expert's email", required=False,
        help_text="Anyone in the company; the suggestions above come from what people resolved.")
    suggested = forms.TypedChoiceField(label="Suggested expert", coerce=int, required=False,
                                       empty_value=None, widget=forms.RadioSelect)
    question = forms.CharField(label="Question", required=False,
                               widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested"].choices = [(p.pk, f"{p.name} ({p.silo.name}) — {why}")
                                            for p, why in suggestions]

    def clean(self):
        data = super().clean()
        email = (data.get("expert") or "").strip().lower()
        if email:
            person = Person.objects.filter(email__iexact=email).first()
            if person is None:
                self.add_error("expert", f"Nobody has the email {email}.")
            data["person"] = person
        elif data.get("suggested"):
            data["person"] = Person.objects.filter(pk=data["suggested"]).first()
        else:
            self.add_error("expert", "Choose a suggested expert or give someone's email.")
        return data


class HandoffForm(forms.Form):
    prefix = "handoff"
    silo = forms.ModelChoiceField(label="Hand off to", queryset=Silo.objects.order_by("name"))
    reason = forms.CharField(label="Reason", widget=forms.Textarea({"rows": 2}),
                             help_text="Required: the other silo reads it.")

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        if current is not None:
            self.fields["silo"].queryset = Silo.objects.exclude(pk=current).order_by("name")


class ClassifyForm(forms.Form):
    prefix = "classify"
    sentiment = forms.ChoiceField(label="Sentiment", choices=Sentiment.choices)
    intent = forms.CharField(label="Intent", max_length=40)


# Settings ------------------------------------------------------------------------------------

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def _person_by_email(form: forms.Form, field: str) -> Person | None:
    email = (form.cleaned_data.get(field) or "").strip()
    if not email:
        return None
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        form.add_error(field, f"Nobody has the email {email}.")
    return person


class RuleForm(forms.Form):
    name = forms.CharField(max_length=200)
    position = forms.IntegerField(min_value=0, initial=100,
                                  help_text="Rules are tried from the lowest number up.")
    enabled = forms.BooleanField(required=False, initial=True)
    network = forms.ChoiceField(required=False)
    account = forms.ModelChoiceField(required=False, queryset=None)
    language = forms.CharField(required=False, max_length=8, help_text="ISO 639-1, e.g. de")
    keywords = forms.CharField(required=False, help_text="Any of these words, comma-separated.")
    risk = forms.ChoiceField(required=False)
    target = forms.ChoiceField()
    silo = forms.ModelChoiceField(required=False, queryset=Silo.objects.order_by("name"))
    person = forms.CharField(required=False, label="Person's email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = [("", "Any network"), *registry.choices()]
        self.fields["account"].queryset = Account.objects.order_by("network", "handle")
        # Self-harm and safety go to the safety rota before any rule is tried.
        self.fields["risk"].choices = [("", "Any"), *[
            (v, label) for v, label in Risk.choices if v not in safety.FLAGS]]
        self.fields["target"].choices = RuleTarget.choices

    def clean(self):
        data = super().clean()
        data["person"] = _person_by_email(self, "person")
        return data


class ThresholdForm(forms.Form):
    triage_threshold = forms.FloatField(
        min_value=0, max_value=1, label="Triage threshold",
        help_text="Below this confidence (0–1) a conversation waits in the hub's triage queue.")


class SafetyForm(forms.Form):
    """Who reads self-harm and safety first: one email, or several (a rota taken in turn)."""

    people = forms.CharField(
        label="Safety rota", required=False, widget=forms.Textarea({"rows": 3}),
        help_text="Emails, one a line or comma-separated. One person reads every self-harm "
                  "and safety message first; several take turns (the next one available). "
                  "Nobody named or available: the hub admins.")

    def clean(self):
        data = super().clean()
        emails = [e.strip().lower() for e in (data.get("people") or "").replace(",", "\n")
                  .split() if e.strip()]
        found = {p.email.lower(): p for p in Person.objects.filter(email__in=emails)}
        missing = [e for e in emails if e not in found]
        if missing:
            self.add_error("people", f"Nobody has the email {', '.join(missing)}.")
        data["safety_people"] = list(dict.fromkeys(found[e] for e in emails if e in found))
        return data


class SavedReplyForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea({"rows": 4}), help_text=(
        "Variables: {customer}, {agent}, {agent_first}, {silo}, {account}, {network}."))
    silo = forms.ModelChoiceField(required=False, queryset=None, empty_label="Every silo (global)")

    def __init__(self, *args, silos=None, allow_global=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["silo"].queryset = silos if silos is not None else Silo.objects.none()
        if not allow_global:
            self.fields["silo"].required = True
            self.fields["silo"].empty_label = None


class SlaForm(forms.Form):
    """First response and resolution targets for every urgency, in business minutes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Urgency.choices:
            self.fields[f"{value}_first"] = forms.IntegerField(
                min_value=1, label=f"{label}: first response (minutes)")
            self.fields[f"{value}_resolution"] = forms.IntegerField(
                min_value=1, label=f"{label}: resolution (minutes)")


class BusinessHoursForm(forms.Form):
    timezone = forms.CharField(max_length=64, initial="UTC", label="Time zone",
                               help_text="e.g. Europe/Berlin")
    start = forms.TimeField(initial="09:00", widget=forms.TimeInput({"type": "time"}))
    end = forms.TimeField(initial="17:00", widget=forms.TimeInput({"type": "time"}))
    weekdays = forms.TypedMultipleChoiceField(choices=WEEKDAYS, coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple,
                                              help_text="None ticked: every day.")
    always_open = forms.BooleanField(required=False, label="Always open (24×7)")


class AbsenceForm(forms.Form):
    person = forms.CharField(label="Person's email", help_text="Yourself, or (captains) someone "
                                                              "of your silo.")
    starts = forms.DateTimeField(widget=forms.DateTimeInput({"type": "datetime-local"}))
    ends = forms.DateTimeField(widget=forms.DateTimeInput({"type": "datetime-local"}))
    reason = forms.CharField(required=False, max_length=200)

    def clean(self):
        data = super().clean()
        data["person_obj"] = _person_by_email(self, "person")
        return data
