from django.urls import path

from kinetz.network import views

app_name = "network"

urlpatterns = [
    path("organisations/", views.organization_list, name="organizations"),
    path("organisations/<uuid:organization_id>/", views.organization_detail, name="organization"),
]
