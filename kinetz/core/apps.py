from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "kinetz.core"
    label = "core"


class KinetzAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "kinetz.core.admin_site.VerifiedAdminSite"
