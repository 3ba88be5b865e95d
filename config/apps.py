from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The wiring: settings, URLs, ASGI/WSGI, the API mount, and the commands that load whole
    worlds of data (the demo, the district-scale bench data). The only app that may import all."""

    name = "config"
    verbose_name = "config"
