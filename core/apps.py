from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared base every app builds on: errors, filtering, histories, exports, live pushes, the
    public cache, error pages. It imports no app of the project."""

    name = "core"
    verbose_name = "core"
