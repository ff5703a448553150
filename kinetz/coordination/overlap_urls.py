from django.urls import path

from kinetz.coordination import overlap_views as views

app_name = "overlaps"

urlpatterns = [
    path("", views.overlap_list, name="list"),
    path("overlaps.<str:kind>", views.overlap_export, name="export"),
]
