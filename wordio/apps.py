from django.apps import AppConfig


class WordioConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wordio"
    verbose_name = "Word in and Word out"
