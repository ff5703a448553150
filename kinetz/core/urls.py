from django.urls import path

from kinetz.core import views

app_name = "core"

urlpatterns = [
    path("", views.start, name="start"),
    path("overview/", views.dashboard, name="dashboard"),
]
