from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "unsilo.publishing"
    label = "publishing"
    verbose_name = "Publishing"
