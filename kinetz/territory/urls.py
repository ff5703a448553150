from django.urls import path

from kinetz.territory import views

app_name = "territory"

urlpatterns = [
    path("municipalities/", views.municipality_list, name="municipalities"),
    path("municipalities.geojson", views.municipality_boundaries, name="boundaries"),
]
