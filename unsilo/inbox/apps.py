from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "unsilo.inbox"
    label = "inbox"
    verbose_name = "Inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register their periodic checks with the worker: the SLA sweep, messages left RECEIVED,
        # the daily digest; and with the mail app what the inbox's emails say.
        from unsilo.inbox import emails  # noqa: F401
        from unsilo.inbox.tasks import processing as tasks  # noqa: F401
        from unsilo.inbox.tasks import sla as tasks_sla  # noqa: F401
