from django.apps import AppConfig


class CamerasConfig(AppConfig):
    name = "cameras"

    def ready(self):
        from . import schema  # noqa: F401  (registers the device-token OpenAPI scheme)
