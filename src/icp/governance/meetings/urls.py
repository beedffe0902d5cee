"""Page URLs for committees and their meetings, papers, minutes and actions.

Part of the governance URL map (`governance/urls.py`), so the names are `governance:...`.
"""

from django.urls import URLPattern, path

from icp.governance.meetings import agenda_views, views

urlpatterns: list[URLPattern] = [
    path("committees/<int:committee_id>/", views.committee_detail, name="committee"),
    path("committees/<int:committee_id>/quorum/", views.quorum_rule_edit, name="quorum-rule"),
    path("icp/<str:code>/actions/overdue/", views.icp_overdue_actions, name="icp-overdue"),
    path("committees/<int:committee_id>/meetings/new/", views.meeting_new, name="meeting-new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/print/<str:document>", views.meeting_print, name="meeting-print"),
    path("meetings/<int:meeting_id>/agenda/new/", views.agenda_item_new, name="agenda-item-new"),
    path("meetings/<int:meeting_id>/attendance/new/", views.attendance_new, name="attendance-new"),
    path("meetings/<int:meeting_id>/minutes/", views.minutes_edit, name="minutes-edit"),
    path("meetings/<int:meeting_id>/minutes/approve/", views.minutes_approve, name="minutes-approve"),
    path("meetings/<int:meeting_id>/decisions/new/", views.decision_new, name="decision-new"),
    path("meetings/<int:meeting_id>/actions/new/", views.action_item_new, name="action-new"),
    path("meetings/<int:meeting_id>/agenda/standard/", agenda_views.standard_agenda, name="agenda-standard"),
    path("agenda-items/<int:item_id>/", agenda_views.agenda_item_edit, name="agenda-item-edit"),
    path("agenda-items/<int:item_id>/move/", agenda_views.agenda_item_move, name="agenda-item-move"),
    path("agenda-items/<int:item_id>/remove/", agenda_views.agenda_item_remove, name="agenda-item-remove"),
    path("meetings/<int:meeting_id>/apologies/", agenda_views.apologies_send, name="apologies-send"),
    path(
        "meetings/<int:meeting_id>/apologies/withdraw/",
        agenda_views.apologies_withdraw,
        name="apologies-withdraw",
    ),
    path("agenda-items/<int:item_id>/papers/new/", views.paper_upload, name="paper-upload"),
    path("papers/<int:paper_id>/", views.download_paper, name="paper"),
    path("actions/<int:action_id>/", views.action_item_update, name="action-update"),
]
