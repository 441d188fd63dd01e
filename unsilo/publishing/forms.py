"""Forms of the Publishing policy page: a new rule, the pause switch."""

from django import forms

from unsilo.publishing.models import ReviewerKind, RuleKind


class RuleForm(forms.Form):
    kind = forms.ChoiceField(choices=RuleKind.choices)
    name = forms.CharField(max_length=120)
    terms = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                            help_text="One a line: words or phrases, disclosure labels or "
                                      "domains.")
    network = forms.CharField(max_length=30, required=False,
                              help_text="Disclosure only: this network's labels.")
    silo = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                  label="Applies to", help_text="Every post, or posts on one "
                                                                "silo's accounts.")
    reviewer_silo = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                           label="Reviewed by (silo)")
    reviewer = forms.ChoiceField(choices=ReviewerKind.choices, label="Reviewed by (who)")

    def __init__(self, data=None, *, silos):
        super().__init__(data)
        self.silos = {s.pk: s for s in silos}
        choices = [(s.pk, s.name) for s in silos]
        self.fields["silo"].choices = [("", "Every post")] + choices
        self.fields["reviewer_silo"].choices = [("", "Nobody (banned terms block)")] + choices

    def rule(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "name": data["name"],
                "terms": [t for t in data["terms"].splitlines() if t.strip()],
                "network": data["network"].strip().lower(),
                "silo": self.silos.get(data["silo"]),
                "reviewer_silo": self.silos.get(data["reviewer_silo"]),
                "reviewer": data["reviewer"]}


class PauseForm(forms.Form):
    paused = forms.BooleanField(required=False, label="Pause all publishing")
    reason = forms.CharField(max_length=300, required=False)
