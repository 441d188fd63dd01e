from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "unsilo.org"
    label = "org"
    verbose_name = "Organisation: silos, people, seats"
