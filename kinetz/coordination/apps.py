from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "kinetz.coordination"
    label = "coordination"
