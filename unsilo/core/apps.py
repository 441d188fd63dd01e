from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "unsilo.core"
    label = "core"
    verbose_name = "Core: people who log in, roles, tokens, audit log"

    def ready(self) -> None:
        from unsilo.core.worker import every, prune_finished_tasks

        every(600, prune_finished_tasks)
