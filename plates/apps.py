from django.apps import AppConfig


class PlatesConfig(AppConfig):
    name = "plates"
