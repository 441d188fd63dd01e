"""What the inbox hands a connector and what it gets back: plain dataclasses, never SDK
objects; and the lookup of the connector that delivers for a network.

Connectors register themselves (`register_connector`); nothing branches on network names.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutboundReply:
    """A reply to deliver, as it stands in the inbox."""

    message_id: int
    conversation_id: int
    network: str
    account_handle: str  # the company's account it goes out from ("" if none)
    text: str
    in_reply_to: str  # the network's id of the message answered
    thread_id: str
    customer: str  # the customer's handle
    language: str = ""  # ISO 639-1 of the conversation, "" when unknown


@dataclass(frozen=True)
class DeliveryResult:
    external_id: str = ""  # the network's id of the delivered message
    url: str = ""
    error: str = ""  # set when delivery failed

    @property
    def ok(self) -> bool:
        return not self.error


class Connector(Protocol):
    name: str

    def deliver(self, reply: OutboundReply) -> DeliveryResult: ...


CONNECTORS: dict[str, Connector] = {}
# The connector of every network that has none of its own yet. Until the real connectors land
# (issue 4) that is every network: the demo connector delivers all replies.
FALLBACK = "demo"


def register_connector(network: str, connector: Connector) -> None:
    CONNECTORS[network] = connector


def connector_for(network: str) -> Connector:
    import unsilo.connectors.networks  # noqa: F401 - the plug-ins register on import

    return CONNECTORS.get(network) or CONNECTORS[FALLBACK]
