"""Public pages of the finder, mounted at the site root, and the staff list of reports."""

from django.urls import path

from kinetz.finder import guide_views, views

app_name = "finder"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("offer/<uuid:service_id>/", views.offer_detail, name="offer"),
    path("offer/<uuid:service_id>/print/", views.offer_print, name="offer_print"),
    path("offer/<uuid:service_id>/report/", views.offer_report, name="offer_report"),
    path("staff/problem-reports/", views.report_list, name="reports"),
    path("staff/problem-reports/<uuid:report_id>/done/", views.report_close, name="report_close"),
    path("search/municipalities.geojson", guide_views.boundaries, name="boundaries"),
    path("wegweiser/", guide_views.guide_form, name="wegweiser"),
    path("wegweiser/<slug:slug>.pdf", guide_views.guide_pdf, name="wegweiser_pdf"),
]
