from django.urls import include, path

urlpatterns = [
    path("duplicates/", include("kinetz.coordination.duplicate_urls")),
    path("overlaps/", include("kinetz.coordination.overlap_urls")),
    path("coverage/", include("kinetz.coordination.coverage_urls")),
]
