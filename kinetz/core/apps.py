from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kinetz.core"
    label = "core"
