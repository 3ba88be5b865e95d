from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district of `make run` (``load_demo``) and the benchmarks' (``scale_data``).

    Top of the ladder, beside ``config``: it may import every app (it builds their data through
    their services); no app imports it. A production host needs none of it, nor its
    requirements-demo.txt (time-machine).
    """

    name = "demo"
    verbose_name = "Demo data"
