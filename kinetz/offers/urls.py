from django.urls import path

from kinetz.offers import views

app_name = "offers"

urlpatterns = [
    path("my/", views.my_organization, name="my_organization"),
    path(
        "organisations/<uuid:organization_id>/edit/",
        views.organization_edit,
        name="organization_edit",
    ),
    path("new/", views.offer_create, name="offer_create"),
    path("<uuid:service_id>/edit/", views.offer_edit, name="offer_edit"),
    path("<uuid:service_id>/submit/", views.offer_submit, name="offer_submit"),
    path("<uuid:service_id>/confirm/", views.offer_confirm, name="offer_confirm"),
    path("<uuid:service_id>/discard/", views.offer_discard, name="offer_discard"),
    path("<uuid:service_id>/archive/", views.offer_archive, name="offer_archive"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<uuid:revision_id>/", views.review_detail, name="review_detail"),
    path("freshness/", views.freshness_overview, name="freshness"),
]
