"""Create, update and delete with the audit row in the same transaction.

App actions check permissions and business rules, then call these. Nothing else saves a
model that users can change, so the UI, the API, the CLI and the worker behave alike.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from unsilo.core import audit, login_limits
from unsilo.core.actor import Actor
from unsilo.core.auth import hash_token, new_token_secret
from unsilo.core.models import ApiToken, User
from unsilo.core.permissions import can, require


def _split_m2m(obj: models.Model, data: dict) -> tuple[dict, dict]:
    m2m_names = {f.name for f in obj._meta.many_to_many}
    plain = {k: v for k, v in data.items() if k not in m2m_names}
    m2m = {k: v for k, v in data.items() if k in m2m_names}
    return plain, m2m


@transaction.atomic
def create(actor: Actor, obj: models.Model, m2m: dict | None = None, silo_id=None):
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    audit.record(actor, "create", obj, audit.diff({}, audit.snapshot(obj)), silo_id)
    return obj


@transaction.atomic
def update(actor: Actor, obj: models.Model, data: dict, silo_id=None):
    """Apply `data` (field name to value; many-to-many as lists of ids) to the row as it is
    now, locked, and write only the fields that changed, so a concurrent edit of another field
    survives; the audit row is the difference from the locked row. `obj` is refreshed from the
    result and returned."""
    row = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = audit.snapshot(row)
    stored = _values(row)
    plain, m2m = _split_m2m(row, data)
    for name, value in plain.items():
        setattr(row, name, value)
    row.full_clean()
    changed = [f.name for f in row._meta.concrete_fields
               if not f.primary_key and _values(row)[f.attname] != stored[f.attname]]
    if changed:
        row.save(update_fields=changed)
    for name, values in m2m.items():
        getattr(row, name).set(values)
    changes = audit.diff(before, audit.snapshot(row))
    if changes:
        audit.record(actor, "update", row, changes, silo_id)
    for attname, value in _values(row).items():
        setattr(obj, attname, value)
    for name in m2m:
        getattr(obj, "_prefetched_objects_cache", {}).pop(name, None)
    return obj


def _values(obj: models.Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@transaction.atomic
def delete(actor: Actor, obj: models.Model, silo_id=None) -> None:
    before = audit.snapshot(obj)
    pk = obj.pk
    obj.delete()
    obj.pk = pk  # the audit row names what was deleted
    audit.record(actor, "delete", obj, audit.diff(before, {}), silo_id)


# Logins and tokens --------------------------------------------------------------------------


def create_login(actor: Actor, *, email: str, password: str, role: str, person=None, name=""):
    """Give someone a login. Their silo for role purposes is `person`'s silo."""
    require(actor, "core.manage_users")
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": f"{email} already has a login."})
    try:
        validate_password(password)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user = User(email=email, role=role, person=person, name=name or (person.name if person else ""))
    user.set_password(password)
    return create(actor, user)


def update_login(actor: Actor, user, data: dict):
    require(actor, "core.manage_users")
    if actor.user is not None and user.pk == actor.user.pk:
        if data.get("role", user.role) != user.role:
            raise ValidationError(
                {"role": "You cannot change your own role; ask another hub admin."}
            )
        if not data.get("is_active", True):
            raise ValidationError(
                {"is_active": "You cannot deactivate your own login; ask another hub admin."}
            )
    return update(actor, user, data)


@transaction.atomic
def unlock_login(actor: Actor, user: User) -> int:
    """Forget the failed sign-ins that lock `user` (wherever they came from); how many."""
    require(actor, "core.manage_users")
    failures = login_limits.unlock(user.email)
    if failures:
        audit.record(actor, "login_unlocked", user, {"failed_sign_ins": [failures, 0]})
    return failures


def create_token(actor: Actor, name: str) -> tuple:
    """A new personal API token for the actor. Returns (token, secret); the secret is shown once."""
    if actor.user is None:
        raise ValidationError("Only a person with a login holds API tokens.")
    if not name.strip():
        raise ValidationError({"name": "Give the token a name, such as the script that uses it."})
    secret = new_token_secret()
    token = ApiToken(user=actor.user, name=name.strip(), prefix=secret[:10],
                     token_hash=hash_token(secret))
    return create(actor, token), secret


def revoke_token(actor: Actor, token) -> None:
    if token.user_id != getattr(actor.user, "pk", None) and not can(actor, "core.manage_users"):
        raise PermissionDenied("You may revoke only your own tokens.")
    if token.revoked_at is None:
        update(actor, token, {"revoked_at": timezone.now()})
