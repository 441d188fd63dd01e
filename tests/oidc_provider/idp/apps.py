from django.apps import AppConfig


class IdpConfig(AppConfig):
    name = "idp"
