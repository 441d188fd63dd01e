from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "unsilo.core"
    label = "core"
    verbose_name = "Core: people who log in, roles, tokens, audit log"
