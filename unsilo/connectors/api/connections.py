"""An account's connection over the API: its health, connecting with typed credentials, and
disconnecting. No answer ever holds a stored secret; what a client sends is not echoed."""

from datetime import datetime

from django.views.decorators.debug import sensitive_variables
from ninja import Body, Field, Router, Schema, Status

from unsilo.accounts import queries as account_queries
from unsilo.connectors import actions, health, plugins
from unsilo.core.api import found
from unsilo.core.schemas import Id, errors

router = Router(tags=["Connections"])


class FieldOut(Schema):
    name: str
    label: str
    secret: bool = Field(description="Stored encrypted and never shown again.")
    required: bool
    help: str


class ConnectionOut(Schema):
    account_id: int
    network: str
    status: str = Field(description="pending (checking), connected, expired (needs "
                                    "reconnecting), error, or not_connected.")
    status_label: str
    auth: str = Field(description="How this network connects: oauth2 (sign in in the browser), "
                                  "password (POST .../connect with the fields), none.")
    fields: list[FieldOut]
    external_id: str = ""
    options: dict = Field({}, description="The non-secret settings given when connecting.")
    connected_at: datetime | None = None
    verified_at: datetime | None = None
    last_fetch_at: datetime | None = None
    fetched_total: int = 0
    last_error: str = ""
    last_error_at: datetime | None = None
    rate_limit: int | None = None
    rate_remaining: int | None = None
    rate_reset_at: datetime | None = None
    paused_until: datetime | None = None
    token_expires_at: datetime | None = None


class ConnectedOut(ConnectionOut):
    signing_secret: str | None = Field(
        None, description="The generic webhook only: the secret to sign calls with, made now "
                          "and shown this once.")


def _account(request, account_id: Id):
    rows = account_queries.accounts(request.actor).select_related("connection")
    return found(rows, account_id, "account")


def _out(account) -> dict:
    state = health.of(account)
    connector = plugins.connector(account.network)
    answer = {
        "account_id": account.pk, "network": account.network, "status": state.status,
        "status_label": state.label, "auth": connector.auth if connector else "",
        "fields": [{k: getattr(f, k) for k in ("name", "label", "secret", "required", "help")}
                   for f in (connector.fields if connector else ())],
    }
    conn = state.connection
    if conn is not None:
        answer.update({name: getattr(conn, name) for name in (
            "external_id", "options", "connected_at", "verified_at", "last_fetch_at",
            "fetched_total", "last_error", "last_error_at", "rate_limit", "rate_remaining",
            "rate_reset_at", "paused_until", "token_expires_at")})
    return answer


@router.get("/accounts/{account_id}/connection",
            response={200: ConnectionOut, **errors(404)}, summary="An account's connection")
def get_connection(request, account_id: Id):
    """Health of the account's link to its network: status, last fetch, rate limit left,
    last error, token expiry. Never the credentials."""
    return _out(_account(request, account_id))


@router.post("/accounts/{account_id}/connect",
             response={202: ConnectedOut, **errors(403, 404, 422)},
             summary="Connect an account with typed credentials")
@sensitive_variables("payload", "done")
def connect(request, account_id: Id, payload: Body[dict[str, str]]):
    """For networks connected with an app password or token (`auth` is `password` or `none`):
    the body holds the connect fields by name (GET …/connection lists them). Stored encrypted
    and checked by the worker (status `pending` until then); the answer never repeats a secret.
    Hub admins anywhere, captains for their own silo's accounts."""
    account = _account(request, account_id)
    done = actions.connect(request.actor, account, payload)
    account.connection = done.connection
    return Status(202, {**_out(account), "signing_secret": done.signing_secret or None})


@router.delete("/accounts/{account_id}/connection",
               response={204: None, **errors(403, 404)}, summary="Disconnect an account")
def disconnect(request, account_id: Id):
    """Delete the stored credentials; the account stays in the registry."""
    actions.disconnect(request.actor, _account(request, account_id))
    return Status(204, None)

