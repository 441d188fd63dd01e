"""Connected accounts for connector tests: an Account with a Connection whose secret is
encrypted as the connect flow stores it, and the session a worker would open."""

from tests import factories
from unsilo.accounts.models import AccountStatus
from unsilo.connectors import credentials
from unsilo.connectors.base import Session
from unsilo.connectors.models import Connection, ConnectionStatus


def connection(network: str, *, handle: str = "", secret: dict | None = None,
               options: dict | None = None, external_id: str = "",
               status: str = ConnectionStatus.CONNECTED, hook_secret: str = "",
               owner=None) -> Connection:
    fields = {"handle": handle} if handle else {}
    account = factories.account(owner, network=network, status=AccountStatus.ACTIVE, **fields)
    return Connection.objects.create(
        account=account, network=network, status=status, options=options or {},
        external_id=external_id, secret=credentials.encrypt(secret or {}),
        hook_secret=credentials.encrypt({"secret": hook_secret}) if hook_secret else "")


def session(conn: Connection) -> Session:
    """The session a worker opens for `conn` (refreshed secrets are saved to it)."""
    conn = Connection.objects.select_related("account").get(pk=conn.pk)
    with credentials.worker_access():
        return credentials.open_session(conn)


def stored_secret(conn: Connection) -> dict:
    """What is stored for `conn` now, decrypted."""
    return session(conn).secret
