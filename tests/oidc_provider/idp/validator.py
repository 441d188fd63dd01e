"""Claims (email, email_verified, name, groups) and ID tokens signed with the key the control
endpoints chose."""

import json

from django.db import transaction
from jwcrypto import jwt
from oauth2_provider.models import IDToken, jwk_from_pem
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings

from idp import keys


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim in every answer: the relying party picks

    def get_additional_claims(self, request):
        user = request.user
        profile = getattr(user, "profile", None)
        return {
            "email": user.email,
            "email_verified": profile.email_verified if profile else True,
            "name": user.get_full_name() or user.username,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def finalize_id_token(self, id_token, token, token_handler, request):
        # django-oauth-toolkit's own, with the signing key chosen here.
        claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        pem = keys.ROGUE if keys.signing["with"] == "rogue" else \
            oauth2_settings.OIDC_RSA_PRIVATE_KEY
        key = jwk_from_pem(pem)
        header = {"typ": "JWT", "alg": "RS256", "kid": key.thumbprint()}
        signed = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
        signed.make_signed_token(key)
        with transaction.atomic():
            stored = IDToken.objects.create(user=request.user, scope=" ".join(request.scopes),
                                            jti=id_token["jti"], expires=expiration_time,
                                            application=request.client)
        request.access_token = request.id_token = stored
        return signed.serialize()
