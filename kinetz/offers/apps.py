from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "kinetz.offers"
    label = "offers"
