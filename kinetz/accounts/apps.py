from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kinetz.accounts"
    label = "accounts"
