"""The webhook endpoint networks call: checked and stored at once, processed in the background.

    POST /hooks/<network>/<hook id>/   one connection's hook (its own signing secret)
    POST /hooks/<network>/             the network's app-level hook (Meta: one URL, all pages;
                                       the connector checks it with the app secret)
    GET  either                        the network's ownership challenge (hub.challenge)

In this order: unknown network or hook → 404; body over 1 MB → 413; signature or timestamp
wrong → 401, a warning in the log (network, hook, remote address; never the body or a secret)
and the error kept on the connection; a body the connector cannot read → 400 with its reason;
else the raw body is stored as one `WebhookEvent` row and 202 answered with its id. The worker
(`tasks.process_webhook`) reads it again and stores all its messages in one transaction. The
view writes nothing itself: webhooks.py keeps the event and notes a refusal.
"""

import logging
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from unsilo.connectors import credentials, plugins, webhooks
from unsilo.connectors.base import Connector, WebhookRejected
from unsilo.connectors.models import Connection, ConnectionStatus

log = logging.getLogger("unsilo.connectors")

MAX_BODY = 1024 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def connection_hook(request: HttpRequest, network: str, hook_id: uuid.UUID) -> HttpResponse:
    connector = _connector(network)
    connection = (Connection.objects.filter(hook_id=hook_id, network=network)
                  .exclude(status=ConnectionStatus.DISCONNECTED)
                  .only("pk", "network", "options", "hook_secret").first())
    if connector is None or connection is None:
        return _error(404, "no such webhook")
    if request.method == "GET":
        return _challenge(connector, connection.options, request)
    return _receive(request, connector, connection, str(hook_id))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def app_hook(request: HttpRequest, network: str) -> HttpResponse:
    connector = _connector(network)
    if connector is None:
        return _error(404, "no such webhook")
    if request.method == "GET":
        return _challenge(connector, {}, request)
    return _receive(request, connector, None, "app")


def _connector(network: str) -> Connector | None:
    connector = plugins.connector(network)
    return connector if connector is not None and connector.webhooks else None


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _challenge(connector: Connector, options: dict, request: HttpRequest) -> HttpResponse:
    answer = connector.webhook_challenge(options, request.GET.dict())
    if answer is None:
        return _error(403, "challenge refused")
    return HttpResponse(answer, content_type="text/plain; charset=utf-8")


def _receive(request: HttpRequest, connector: Connector, connection: Connection | None,
             hook: str) -> HttpResponse:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return _error(413, f"the body is larger than {MAX_BODY // 1024} KB")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _error(413, f"the body is larger than {MAX_BODY // 1024} KB")
    options = connection.options if connection is not None else {}
    secret = credentials.hook_secret(connection) if connection is not None else ""
    try:
        connector.check_webhook(options, secret, request.headers, body)
    except WebhookRejected as error:
        _rejected(request, connector, connection, hook, str(error))
        return _error(401, str(error))
    try:
        connector.parse_webhook(options, body)
    except ValueError as error:
        return _error(400, str(error))
    event = webhooks.keep(connector.name, connection, body)
    return JsonResponse({"id": event.pk}, status=202)


def _rejected(request: HttpRequest, connector: Connector, connection: Connection | None,
              hook: str, reason: str) -> None:
    log.warning("webhook rejected: network=%s hook=%s remote=%s: %s", connector.name, hook,
                request.META.get("REMOTE_ADDR", "?"), reason)
    if connection is not None:
        webhooks.refused(connection, reason)
