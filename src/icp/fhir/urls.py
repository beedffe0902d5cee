"""FHIR R4 URLs under /fhir/: metadata, and read and search for each served resource type."""

from django.urls import URLPattern, path

from icp.fhir import care_views, views

app_name = "fhir"
urlpatterns: list[URLPattern] = [
    path("metadata", views.metadata, name="metadata"),
    path("Patient", views.patient_search, name="patient-search"),
    path("Patient/<str:resource_id>", views.patient_read, name="patient-read"),
    path("Consent", views.consent_search, name="consent-search"),
    path("Consent/<str:resource_id>", views.consent_read, name="consent-read"),
    path("AuditEvent", views.audit_search, name="auditevent-search"),
    path("AuditEvent/<str:resource_id>", views.audit_read, name="auditevent-read"),
]
for _type in views.CLINICAL:
    urlpatterns += [
        path(_type, views.clinical_search(_type), name=f"{_type.lower()}-search"),
        path(f"{_type}/<str:resource_id>", views.clinical_read(_type), name=f"{_type.lower()}-read"),
    ]
urlpatterns += [
    path("Task", care_views.task_search, name="task-search"),
    path("Task/<str:resource_id>", care_views.task_instance, name="task-read"),
    path("ServiceRequest", care_views.service_request_search, name="servicerequest-search"),
    path("ServiceRequest/<str:resource_id>", care_views.service_request_read, name="servicerequest-read"),
    path("CarePlan", care_views.care_plan_search, name="careplan-search"),
    path("CarePlan/<str:resource_id>", care_views.care_plan_read, name="careplan-read"),
    path("CareTeam", care_views.care_team_search, name="careteam-search"),
    path("CareTeam/<str:resource_id>", care_views.care_team_read, name="careteam-read"),
    path("Goal", care_views.goal_search, name="goal-search"),
    path("Goal/<str:resource_id>", care_views.goal_read, name="goal-read"),
]
urlpatterns += [
    path("<str:resource_type>", views.not_supported),
    path("<str:resource_type>/<path:rest>", views.not_supported),
]
