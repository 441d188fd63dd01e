from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "unsilo.accounts"
    label = "accounts"
    verbose_name = "Account registry"

    def ready(self):
        from unsilo.accounts import stewardship
        from unsilo.core import periodic

        periodic.every(86400, stewardship.report_lapsed, when=stewardship.anything_lapsed)
