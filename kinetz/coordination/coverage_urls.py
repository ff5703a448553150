from django.urls import URLPattern

app_name = "coverage"

urlpatterns: list[URLPattern] = []
