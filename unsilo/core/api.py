"""/me, /me/tokens and /audit, and the small helpers every app's API shares.

Endpoints take the actor the API's auth set on `request.actor` (importing `unsilo.api` here
would make the routers' imports circular).
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from unsilo.core import actions, queries
from unsilo.core.models import ApiToken
from unsilo.core.schemas import (
    AuditEventOut,
    AuditFilter,
    Count,
    Id,
    MeOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    errors,
)

router = Router()


# Shared by the app routers ------------------------------------------------------------------


def found(rows: QuerySet, pk, what: str):
    """The object `pk` among `rows` (already scoped to the reader), else a 404 that names it."""
    obj = rows.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No {what} with id {pk}.")
    return obj


def referenced(rows: QuerySet, pk, field: str, what: str):
    """The object an input field points at, else a 422 naming the field."""
    obj = rows.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: f"No {what} with id {pk}."})
    return obj


@contextmanager
def input_names(**names: str):
    """Name errors by the API's input fields, not the model's (`owner_silo` → `owner_silo_id`)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(name, name): errs for name, errs in error.error_dict.items()}
        ) from error


class Pagination(LimitOffsetPagination):
    """Every list's `limit` and `offset` (NINJA_PAGINATION_CLASS), the offset bounded like every
    number the API reads: past the end is an empty page, past any column a 422."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1,
                           le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: Count = 0


# Me ------------------------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, **errors()}, tags=["Me"], summary="Who am I")
def me(request):
    """The login behind this token: email, role and silo (a captain's powers apply there)."""
    return request.actor.user


@router.get("/me/tokens", response={200: list[TokenOut], **errors()}, tags=["Me"],
            summary="List my API tokens")
def list_tokens(request):
    """Your API tokens, newest first, revoked ones included. Secrets are never shown again."""
    return ApiToken.objects.filter(user=request.actor.user)


@router.post("/me/tokens", response={201: TokenCreatedOut, **errors(422)}, tags=["Me"],
             summary="Create an API token")
def create_token(request, payload: TokenIn):
    """A new personal token acting with your role. The `token` secret is in this answer only."""
    token, secret = actions.create_token(request.actor, payload.name)
    return Status(201, TokenCreatedOut(id=token.pk, name=token.name, prefix=token.prefix,
                                       token=secret))


@router.delete("/me/tokens/{token_id}", response={204: None, **errors(404)}, tags=["Me"],
               summary="Revoke an API token")
def revoke_token(request, token_id: Id):
    """Revoke one of your tokens: it stops working at once. Revoking twice is harmless."""
    token = found(ApiToken.objects.filter(user=request.actor.user), token_id, "token of yours")
    actions.revoke_token(request.actor, token)
    return Status(204, None)


# Audit ---------------------------------------------------------------------------------------


@router.get("/audit", response={200: list[AuditEventOut], **errors(403)}, tags=["Audit"],
            summary="Read the audit log")
@paginate
def list_audit(request, filters: Query[AuditFilter]):
    """Every change, newest first: who, when, through what (`via`), and each field's before and
    after. Hub admins only."""
    return filters.filter(queries.audit_events(request.actor).order_by("-at", "-id"))
