"""What a test changes at the provider: its client, users and their groups, disabling a user
(their tokens revoked, as an identity provider does), rotating the signing key (the old one
stays in the JWKS), and signing with a rogue key. Each call needs the control key."""

import datetime
import hmac
import json
import os

from django.contrib.auth.models import Group, User
from django.http import HttpResponseForbidden, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import AccessToken, Application, RefreshToken
from oauth2_provider.settings import oauth2_settings

from idp import keys
from idp.models import Profile


def _control(view):
    @csrf_exempt
    def checked(request):
        key = request.headers.get("X-Control-Key", "")
        if request.method != "POST" or not hmac.compare_digest(
                key, os.environ["IDP_CONTROL_KEY"]):
            return HttpResponseForbidden("control key needed")
        return JsonResponse(view(json.loads(request.body or "{}")))
    return checked


@_control
def client(data):
    app, _ = Application.objects.update_or_create(
        client_id=data["client_id"],
        defaults={"name": "unsilo", "client_type": Application.CLIENT_CONFIDENTIAL,
                  "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                  "client_secret": data["client_secret"], "hash_client_secret": False,
                  "redirect_uris": " ".join(data["redirect_uris"]),
                  "algorithm": Application.RS256_ALGORITHM, "skip_authorization": True})
    return {"client_id": app.client_id}


@_control
def user(data):
    person, _ = User.objects.update_or_create(
        username=data["email"], defaults={"email": data["email"], "is_active": True,
                                          "first_name": data.get("name", "")})
    if "password" in data:
        person.set_password(data["password"])
        person.save()
    person.groups.set([Group.objects.get_or_create(name=g)[0] for g in data.get("groups", [])])
    Profile.objects.update_or_create(
        user=person, defaults={"email_verified": data.get("email_verified", True)})
    return {"id": person.pk}


@_control
def disable(data):
    person = User.objects.get(username=data["email"])
    person.is_active = False
    person.save()
    revoked = AccessToken.objects.filter(user=person).delete()[0]
    RefreshToken.objects.filter(user=person).delete()
    return {"revoked": revoked}


@_control
def expire(data):
    """The user's access tokens run out (their refresh tokens still work)."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    return {"expired": AccessToken.objects.filter(user__username=data["email"]).update(
        expires=past)}


@_control
def rotate(data):
    old = oauth2_settings.OIDC_RSA_PRIVATE_KEY
    oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE = [
        old, *oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE]
    oauth2_settings.OIDC_RSA_PRIVATE_KEY = keys.new_pem()
    return {"keys": 1 + len(oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE)}


@_control
def signing(data):
    keys.signing["with"] = "rogue" if data.get("with") == "rogue" else "active"
    return dict(keys.signing)
