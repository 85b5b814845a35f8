from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project package as an app, so that the audit log's and the idle timeout's signal receivers are connected at start-up."""

    name = "config"
    label = "site_config"
    verbose_name = "Site"

    def ready(self):
        from config import audit, middleware  # noqa: F401 - connects the receivers
