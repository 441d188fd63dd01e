"""POST /api/v1/messages: inbound messages into the one ingestion pipeline."""

from ninja import Router

router = Router(tags=["messages"])
