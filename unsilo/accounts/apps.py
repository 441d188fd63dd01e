from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unsilo.accounts"
    label = "accounts"
    verbose_name = "Account registry"
