from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "unsilo.experts"
    label = "experts"
    verbose_name = "Expertise: what people have shown they can answer"

    def ready(self):
        from unsilo.core import periodic
        from unsilo.experts import tasks

        periodic.every(60, tasks.build_missing, when=tasks.index_missing)
