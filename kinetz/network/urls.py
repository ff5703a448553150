from django.urls import path

from kinetz.network import views

app_name = "network"

urlpatterns = [
    path("organisations/", views.organization_list, name="organizations"),
    path("organisations/<uuid:organization_id>/", views.organization_detail, name="organization"),
    path("working-groups/", views.working_group_list, name="working_groups"),
    path("working-groups/new/", views.working_group_edit, name="working_group_new"),
    path("working-groups/<uuid:group_id>/", views.working_group_detail, name="working_group"),
    path(
        "working-groups/<uuid:group_id>/edit/",
        views.working_group_edit,
        name="working_group_edit",
    ),
    path(
        "working-groups/<uuid:group_id>/members/add/",
        views.membership_add,
        name="membership_add",
    ),
    path(
        "working-groups/<uuid:group_id>/members/<uuid:membership_id>/",
        views.membership_edit,
        name="membership_edit",
    ),
    path(
        "working-groups/<uuid:group_id>/members/<uuid:membership_id>/end/",
        views.membership_end,
        name="membership_end",
    ),
    path(
        "working-groups/<uuid:group_id>/meetings/new/",
        views.meeting_edit,
        name="meeting_new",
    ),
    path(
        "working-groups/<uuid:group_id>/meetings/<uuid:meeting_id>/",
        views.meeting_detail,
        name="meeting",
    ),
    path(
        "working-groups/<uuid:group_id>/meetings/<uuid:meeting_id>/edit/",
        views.meeting_edit,
        name="meeting_edit",
    ),
    path(
        "working-groups/<uuid:group_id>/meetings/<uuid:meeting_id>/minutes/",
        views.meeting_minutes,
        name="meeting_minutes",
    ),
    path("cooperations/new/", views.cooperation_edit, name="cooperation_new"),
    path(
        "cooperations/<uuid:cooperation_id>/edit/",
        views.cooperation_edit,
        name="cooperation_edit",
    ),
    path("cooperations/<uuid:cooperation_id>/end/", views.cooperation_end, name="cooperation_end"),
    path("graph/", views.network_graph, name="graph"),
    path("graph.json", views.network_graph_json, name="graph_json"),
]
