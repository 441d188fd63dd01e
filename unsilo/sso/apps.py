from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "unsilo.sso"
    label = "sso"
    verbose_name = "Single sign-on"
