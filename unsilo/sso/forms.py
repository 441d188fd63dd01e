"""The hub's forms of single sign-on: the sign-in settings and a mapping row."""

from django import forms

from unsilo.core.models import Role, User
from unsilo.org.models import SeatRole, Silo
from unsilo.sso.models import SignInSettings


class SettingsForm(forms.Form):
    password_sign_in = forms.BooleanField(
        required=False, label="Passwords sign in",
        help_text="Off: only the break-glass admin signs in with a password; everyone else "
                  "through the company's provider.")
    break_glass = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Break-glass hub admin",
        help_text="Signs in with a password when the provider is down.")
    allow_unknown = forms.BooleanField(
        required=False, label="Let in people the people import does not know",
        help_text="They land as viewers in the silo “Not yet placed”, which the hub sees.")

    def __init__(self, data=None, *, chosen: SignInSettings, **kwargs):
        super().__init__(data, initial={"password_sign_in": chosen.password_sign_in,
                                        "break_glass": chosen.break_glass_id,
                                        "allow_unknown": chosen.allow_unknown}, **kwargs)
        self.fields["break_glass"].queryset = User.objects.filter(
            role=Role.HUB_ADMIN, is_active=True).order_by("email")
        self.fields["break_glass"].label_from_instance = lambda user: f"{user} <{user.email}>"


class GroupRoleForm(forms.Form):
    group = forms.CharField(max_length=200, help_text="The group's name as the provider sends it.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.RESPONDER)


class GroupSeatForm(forms.Form):
    group = forms.CharField(max_length=200)
    silo = forms.ModelChoiceField(queryset=Silo.objects.order_by("name"))
    seat_role = forms.ChoiceField(choices=SeatRole.choices, label="Seat role",
                                  initial=SeatRole.DELEGATE)
