"""Staff pages of the catalogue, mounted at /staff/catalogue/."""

from django.urls import path

from kinetz.offers import staff_views as views

app_name = "catalogue_staff"

urlpatterns = [
    path("vocabularies/", views.taxonomy_list, name="taxonomy"),
    path("vocabularies/<uuid:taxonomy_id>/new/", views.term_add, name="term_add"),
    path("vocabularies/terms/<uuid:term_id>/", views.term_edit, name="term_edit"),
    path("vocabularies/terms/<uuid:term_id>/remove/", views.term_remove, name="term_remove"),
    path("vocabularies/terms/<uuid:term_id>/delete/", views.term_delete, name="term_delete"),
    path("vocabularies/terms/<uuid:term_id>/merge/", views.term_merge, name="term_merge"),
    path("translations/", views.translation_list, name="translation_list"),
    path(
        "offers/<uuid:service_id>/translations/",
        views.translation_overview,
        name="translations",
    ),
    path(
        "offers/<uuid:service_id>/translations/<str:language>/",
        views.translation_edit,
        name="translation_edit",
    ),
    path("export/", views.export_page, name="export"),
    path("export/download/", views.export_download, name="export_download"),
]
