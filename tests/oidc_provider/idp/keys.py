"""The provider's signing keys, made at start-up: the active one (in the JWKS), the ones
rotated out (still in the JWKS, inactive), and a rogue one never published, so a test can have
an ID token signed by a key the relying party must not trust."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def new_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


ACTIVE = new_pem()
ROGUE = new_pem()
# What signs ID tokens now: "active" or "rogue" (POST /control/signing).
signing = {"with": "active"}
