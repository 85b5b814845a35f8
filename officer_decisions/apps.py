from django.apps import AppConfig


class OfficerDecisionsConfig(AppConfig):
    name = "officer_decisions"
    verbose_name = "Officer decisions"
