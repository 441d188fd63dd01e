"""The outbound queue over the API: list and read deliveries, retry or cancel one."""

from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from unsilo.connectors import outbound
from unsilo.connectors import queries as queries_outbox
from unsilo.connectors.models import DeliveryKind, DeliveryState
from unsilo.core.api import found
from unsilo.core.schemas import Id, errors
from unsilo.core.weburl import web_url

router = Router(tags=["Deliveries"])


class DeliveryOut(Schema):
    id: int
    kind: DeliveryKind
    network: str
    account_id: int | None
    account_handle: str | None
    silo_id: int | None
    message_id: int | None = Field(description="The reply's message in the inbox, if any.")
    conversation_id: int | None
    text: str
    in_reply_to: str = Field(description="The network's id of the message answered.")
    state: DeliveryState
    attempts: int
    in_doubt: bool = Field(description="An attempt got no answer: the network is asked "
                                       "whether it went out before it is sent again.")
    next_attempt_at: datetime | None = Field(description="While queued: when it is tried.")
    last_error: str = Field(description="The network's words about the last failed attempt.")
    external_id: str = Field(description="The network's id once sent.")
    url: str
    idempotency_key: str
    created_at: datetime
    sent_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_url(delivery) -> str:
        return web_url(delivery.url)  # one stored before links were checked is not passed on

    @staticmethod
    def resolve_account_handle(delivery) -> str | None:
        return delivery.account.handle if delivery.account_id else None

    @staticmethod
    def resolve_conversation_id(delivery) -> int | None:
        return delivery.message.conversation_id if delivery.message_id else None

    @staticmethod
    def resolve_next_attempt_at(delivery) -> datetime | None:
        return delivery.next_attempt_at if delivery.state == DeliveryState.QUEUED else None


ACT_ERRORS = errors(403, 404, 422)


@router.get("/deliveries", response={200: list[DeliveryOut], **errors(403, 422)},
            summary="List deliveries")
@paginate
def list_deliveries(request, state: DeliveryState | None = None, account_id: Id | None = None,
                    network: str = ""):
    """Replies and posts on their way out, failed ones first, then newest first. The hub sees
    all; everyone else their own silo's."""
    return queries_outbox.deliveries(request.actor, state=state or "", account=account_id,
                                     network=network)


@router.get("/deliveries/{delivery_id}", response={200: DeliveryOut, **errors(403, 404)},
            summary="Get a delivery")
def get_delivery(request, delivery_id: Id):
    return found(queries_outbox.visible(request.actor), delivery_id, "delivery")


def _act(request, delivery_id: Id, action):
    # A delivery out of the reader's sight is a 404; the action checks the role again (403).
    action(request.actor, found(queries_outbox.visible(request.actor), delivery_id, "delivery"))
    return found(queries_outbox.visible(request.actor), delivery_id, "delivery")


@router.post("/deliveries/{delivery_id}/retry", response={200: DeliveryOut, **ACT_ERRORS},
             summary="Retry a failed delivery")
def retry_delivery(request, delivery_id: Id):
    """Send a failed delivery again from a fresh start (attempts back to 0). Those who may
    work the silo's conversations or manage its accounts; 422 unless it failed."""
    return _act(request, delivery_id, outbound.retry)


@router.post("/deliveries/{delivery_id}/cancel", response={200: DeliveryOut, **ACT_ERRORS},
             summary="Cancel a delivery")
def cancel_delivery(request, delivery_id: Id):
    """Never send a queued or failed delivery (422 otherwise). A reply's message shows it was
    not sent."""
    return _act(request, delivery_id, outbound.cancel)
