"""Page URLs of the governance app (mounted at /governance/)."""

from django.urls import URLPattern, URLResolver, path

from icp.governance.views import cases, echo, home, meetings, plans

app_name = "governance"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("guide/", home.guide, name="guide"),
    path("icp/<str:code>/", home.icp_governance, name="icp"),
    # Committees and meetings
    path("committees/<int:committee_id>/", meetings.committee_detail, name="committee"),
    path("committees/<int:committee_id>/quorum/", meetings.quorum_rule_edit, name="quorum-rule"),
    path("icp/<str:code>/actions/overdue/", meetings.icp_overdue_actions, name="icp-overdue"),
    path("committees/<int:committee_id>/meetings/new/", meetings.meeting_new, name="meeting-new"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/print/<str:document>", meetings.meeting_print, name="meeting-print"),
    path("meetings/<int:meeting_id>/agenda/new/", meetings.agenda_item_new, name="agenda-item-new"),
    path("meetings/<int:meeting_id>/attendance/new/", meetings.attendance_new, name="attendance-new"),
    path("meetings/<int:meeting_id>/minutes/", meetings.minutes_edit, name="minutes-edit"),
    path("meetings/<int:meeting_id>/minutes/approve/", meetings.minutes_approve, name="minutes-approve"),
    path("meetings/<int:meeting_id>/decisions/new/", meetings.decision_new, name="decision-new"),
    path("meetings/<int:meeting_id>/actions/new/", meetings.action_item_new, name="action-new"),
    path("agenda-items/<int:item_id>/papers/new/", meetings.paper_upload, name="paper-upload"),
    path("papers/<int:paper_id>/", meetings.download_paper, name="paper"),
    path("actions/<int:action_id>/", meetings.action_item_update, name="action-update"),
    # Business cases
    path("icp/<str:code>/cases/", cases.icp_cases, name="icp-cases"),
    path("icp/<str:code>/cases/new/", cases.case_new, name="case-new"),
    path("bodies/<str:code>/cases/", cases.body_cases, name="body-cases"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
    path("cases/<int:case_id>/edit/", cases.case_edit, name="case-edit"),
    path("cases/<int:case_id>/do/<str:verb>/", cases.case_transition, name="case-transition"),
    path("cases/<int:case_id>/funding/new/", cases.funding_new, name="case-funding-new"),
    path("cases/<int:case_id>/staff/new/", cases.staff_new, name="case-staff-new"),
    path("cases/<int:case_id>/benefits/new/", cases.benefit_new, name="case-benefit-new"),
    path("benefits/<int:benefit_id>/measurements/new/", cases.measurement_new, name="measurement-new"),
    # Plans, strategy, projects
    path("icp/<str:code>/plans/new/", plans.plan_new, name="plan-new"),
    path("icp/<str:code>/projects/new/", plans.project_new, name="project-new"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("plans/<int:plan_id>/objectives/new/", plans.objective_new, name="objective-new"),
    path("objectives/<int:objective_id>/milestones/new/", plans.milestone_new, name="milestone-new"),
    path("milestones/<int:milestone_id>/update/", plans.milestone_update, name="milestone-update"),
    path("areas/<str:code>/plans/", plans.plan_rollup, name="plan-rollup"),
    path("strategies/<int:strategy_id>/", plans.strategy_detail, name="strategy"),
    path("projects/", plans.project_list, name="projects"),
    path("projects/spread/", plans.project_spread, name="spread"),
    path("projects/<int:project_id>/", plans.project_detail, name="project"),
    path("projects/<int:project_id>/adopt/", plans.project_adopt, name="project-adopt"),
    # ECHO
    path("echo/", echo.network_list, name="echo"),
    path("echo/<int:network_id>/", echo.network_detail, name="echo-network"),
]
