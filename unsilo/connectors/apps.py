from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "unsilo.connectors"
    label = "connectors"
    verbose_name = "Connectors: live links to networks, credentials, delivery"

    def ready(self) -> None:
        from unsilo.connectors import discovery, outbound, tasks
        from unsilo.core import periodic

        periodic.every(2, outbound.send_due, when=outbound.anything_due)
        periodic.every(10, tasks.fetch_due, when=tasks.anything_to_fetch)
        periodic.every(5, tasks.process_webhooks, when=tasks.any_webhook_left)
        periodic.every(60, discovery.scan, when=discovery.anything_new)
