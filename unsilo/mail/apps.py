from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "unsilo.mail"
    label = "mail"
    verbose_name = "Mail: notification emails out, replies to consults in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from unsilo.core import periodic
        from unsilo.mail import sending

        periodic.every(2, sending.send_due, when=sending.anything_due)
        periodic.every(3600, sending.prune_sent)
