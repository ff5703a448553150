from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "kinetz.territory"
    label = "territory"
