from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "unsilo.experts"
    label = "experts"
    verbose_name = "Expertise: what people have shown they can answer"
