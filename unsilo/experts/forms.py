from django import forms

from unsilo.experts.ranking import MAX_TEXT


class FindForm(forms.Form):
    q = forms.CharField(
        label="Question or customer message", max_length=MAX_TEXT, strip=True,
        widget=forms.Textarea({"rows": 4, "placeholder": "Type a question, or paste what a "
                                                         "customer wrote"}),
        error_messages={"required": "Type a question or paste a message first."})
    available = forms.BooleanField(label="Only people available now", required=False)
