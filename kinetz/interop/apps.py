from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "kinetz.interop"
    label = "interop"
