"""Page URLs for annual plans, strategies and projects.

Part of the governance URL map (`governance/urls.py`), so the names are `governance:...`.
"""

from django.urls import URLPattern, path

from icp.governance.plans import views

urlpatterns: list[URLPattern] = [
    path("icp/<str:code>/plans/new/", views.plan_new, name="plan-new"),
    path("icp/<str:code>/projects/new/", views.project_new, name="project-new"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/objectives/new/", views.objective_new, name="objective-new"),
    path("objectives/<int:objective_id>/milestones/new/", views.milestone_new, name="milestone-new"),
    path("milestones/<int:milestone_id>/update/", views.milestone_update, name="milestone-update"),
    path("areas/<str:code>/plans/", views.plan_rollup, name="plan-rollup"),
    path("strategies/<int:strategy_id>/", views.strategy_detail, name="strategy"),
    path("projects/", views.project_list, name="projects"),
    path("projects/spread/", views.project_spread, name="spread"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/adopt/", views.project_adopt, name="project-adopt"),
]
