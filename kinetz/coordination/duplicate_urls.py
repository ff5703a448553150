from django.urls import path

from kinetz.coordination import duplicate_views as views

app_name = "duplicates"

urlpatterns = [
    path("", views.duplicate_queue, name="queue"),
    path("search/", views.search_again, name="search"),
    path("<str:kind>/merge/", views.merge_confirm, name="merge"),
    path("<str:kind>/not-the-same/", views.not_the_same, name="not_the_same"),
    path("merges/", views.merge_list, name="merges"),
    path("merges/<uuid:merge_id>/undo/", views.merge_undo, name="undo"),
]
