"""The connect form a connector's `fields` describe, the brand terms, sighting decisions, and
the new text of a failed delivery."""

from django import forms

from unsilo.connectors.base import Connector


class ConnectForm(forms.Form):
    """One input per connector field. Secret fields are password inputs that never show a
    value, not even after a refused submit."""

    def __init__(self, data, *, connector: Connector, options: dict | None = None):
        super().__init__(data)
        options = options or {}
        for f in connector.fields:
            if f.secret:
                widget = forms.PasswordInput(render_value=False,
                                             attrs={"autocomplete": "new-password"})
                initial = None
            else:
                widget, initial = forms.TextInput(), options.get(f.name) or f.default or None
            self.fields[f.name] = forms.CharField(label=f.label, required=f.required,
                                                  help_text=f.help, initial=initial,
                                                  widget=widget, strip=True)
            self.fields[f.name].secret = f.secret


class TermsForm(forms.Form):
    terms = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Brand terms",
        help_text="The company's names and brand words, one per line or comma-separated. "
                  "Look-alikes (0 for o, 1 for l or i, 3 for e, 5 for s) are caught too.")


class DecisionForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)
    owner_silo = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, silos=()):
        super().__init__(data)
        self.fields["owner_silo"].choices = [("", "—")] + [(s.pk, s.name) for s in silos]


class DeliveryTextForm(forms.Form):
    """The new text of a failed delivery, sent again once saved."""

    text = forms.CharField(label="Text", widget=forms.Textarea(
        {"rows": 6, "aria-describedby": "id_text-counter"}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)
