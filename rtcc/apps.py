from django.apps import AppConfig


class RtccConfig(AppConfig):
    name = "rtcc"
    verbose_name = "RTCC: users, audit log, realtime"
