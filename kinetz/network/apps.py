from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "kinetz.network"
    label = "network"
