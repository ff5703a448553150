from django.urls import URLPattern

app_name = "overlaps"

urlpatterns: list[URLPattern] = []
