"""``make serve`` says at start-up how it serves: where HTTP and websockets go, and how live pushes
reach every worker (through Redis, or through the local channel layer of the embedded default)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print how `make serve` serves HTTP, websockets and live pushes with the current settings."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2") or 2))

    def handle(self, *args, workers, **options):
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        layer = settings.CHANNEL_LAYERS["default"]
        if "redis" in layer["BACKEND"].lower():
            pushes = "live pushes go through Redis (REDIS_URL): every worker, on every machine that shares it"
        elif layer["BACKEND"] == "core.localchannels.LocalSocketChannelLayer":
            pushes = (
                f"no REDIS_URL: live pushes are shared by the {workers} worker process(es) of this machine through "
                f"Unix sockets in {layer['CONFIG']['directory']} (core/localchannels.py); set REDIS_URL to run several machines"
            )
        else:
            pushes = f"live pushes: {layer['BACKEND']} (one process only)"
        self.stdout.write(
            f"serve: {workers} uvicorn worker(s); HTTP through Django's WSGI handler on {settings.HTTP_THREADS} threads each, "
            f"websockets through channels, on one address; database: {database}\n"
            f"serve: {pushes}"
        )
