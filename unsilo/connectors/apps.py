from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "unsilo.connectors"
    label = "connectors"
    verbose_name = "Connectors: live links to networks, credentials, delivery"

    def ready(self) -> None:
        from unsilo.connectors import tasks
        from unsilo.core.worker import every

        every(2, tasks.send_due)
        every(10, tasks.fetch_due)
        every(5, tasks.process_webhooks)
        every(60, tasks.scan_for_sightings)
