"""Signed reply addresses: reply+TOKEN@<reply domain>, where TOKEN names what the reply
answers and who may send it (`c42-7-<hmac>`: consult 42, person 7), signed with a key derived
from UNSILO_SECRET_KEY. Short (an address's local part holds 64 characters) and lowercase (some
servers fold case)."""

import dataclasses
import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "unsilo.mail.reply-address"
PREFIX = "reply+"
KINDS = {"c": "consult"}  # a token's first letter: what it answers
LETTERS = {kind: letter for letter, kind in KINDS.items()}
TOKEN = re.compile(r"^([a-z])(\d{1,12})-(\d{1,12})-([0-9a-f]{24})$")


@dataclasses.dataclass(frozen=True)
class Reply:
    kind: str
    object_id: int
    person_id: int


def _signature(value: str) -> str:
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:24]


def token(kind: str, object_id: int, person_id: int) -> str:
    value = f"{LETTERS[kind]}{object_id}-{person_id}"
    return f"{value}-{_signature(value)}"


def address(kind: str, object_id: int, person_id: int) -> str:
    """The reply address, or "" when no reply domain is configured (replies then go to the
    From address and are not read)."""
    domain = settings.UNSILO_MAIL_REPLY_DOMAIN
    return f"{PREFIX}{token(kind, object_id, person_id)}@{domain}" if domain else ""


class BadAddress(ValueError):
    pass


def read(recipient: str) -> Reply:
    """What a reply address answers, or BadAddress saying why it is not one of ours."""
    local, _, domain = recipient.strip().strip("<>").rpartition("@")
    expected = settings.UNSILO_MAIL_REPLY_DOMAIN
    if not expected or domain.lower() != expected.lower():
        raise BadAddress(f"unsilo takes replies only at @{expected or '(no reply domain set)'}")
    local = local.lower()
    if not local.startswith(PREFIX):
        raise BadAddress("not a reply address (reply+…)")
    match = TOKEN.match(local.removeprefix(PREFIX))
    if match is None or match.group(1) not in KINDS:
        raise BadAddress("the reply address is damaged")
    letter, object_id, person_id, signature = match.groups()
    if not constant_time_compare(signature, _signature(f"{letter}{object_id}-{person_id}")):
        raise BadAddress("the reply address is not signed by this unsilo (forged or from "
                         "another installation)")
    return Reply(KINDS[letter], int(object_id), int(person_id))
