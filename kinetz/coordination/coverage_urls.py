from django.urls import path

from kinetz.coordination import coverage_views as views

app_name = "coverage"

urlpatterns = [
    path("", views.coverage_page, name="page"),
    path("map.geojson", views.coverage_map, name="map"),
    path("cell/", views.cell_page, name="cell"),
    path("coverage.<str:kind>", views.coverage_export, name="export"),
]
