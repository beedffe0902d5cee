"""Page URLs for business cases and their lifecycle.

Part of the governance URL map (`governance/urls.py`), so the names are `governance:...`.
"""

from django.urls import URLPattern, path

from icp.governance.cases import views

urlpatterns: list[URLPattern] = [
    path("icp/<str:code>/cases/", views.icp_cases, name="icp-cases"),
    path("icp/<str:code>/cases/new/", views.case_new, name="case-new"),
    path("bodies/<str:code>/cases/", views.body_cases, name="body-cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:case_id>/do/<str:verb>/", views.case_transition, name="case-transition"),
    path("cases/<int:case_id>/funding/new/", views.funding_new, name="case-funding-new"),
    path("cases/<int:case_id>/staff/new/", views.staff_new, name="case-staff-new"),
    path("cases/<int:case_id>/benefits/new/", views.benefit_new, name="case-benefit-new"),
    path("benefits/<int:benefit_id>/measurements/new/", views.measurement_new, name="measurement-new"),
]
