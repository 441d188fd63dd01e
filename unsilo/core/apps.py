from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "unsilo.core"
    label = "core"
    verbose_name = "Core: people who log in, roles, tokens, audit log"

    def ready(self) -> None:
        from unsilo.core import periodic
        from unsilo.core.worker import prune_finished_tasks

        periodic.every(600, prune_finished_tasks)
