"""Page URLs of the sharing app. People are named only by their opaque patient id."""

from django.urls import URLPattern, URLResolver, path

from icp.sharing.views import agreements, audit, linkage, record
from icp.sharing.views.subject_access import subject_access_page

app_name = "sharing"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", agreements.index, name="index"),
    path("agreements/", agreements.register, name="register"),
    path("agreements/new/", agreements.new_agreement, name="new-agreement"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement"),
    path("patients/", record.patient_search, name="search"),
    path("patients/<str:patient_id>/", record.patient_record, name="patient"),
    path("patients/<str:patient_id>/break-glass/", record.start_break_glass, name="break-glass"),
    path("patients/<str:patient_id>/choices/", record.choices, name="choices"),
    path("patients/<str:patient_id>/access-log/", record.access_log, name="access-log"),
    path("patients/<str:patient_id>/subject-access/", subject_access_page, name="subject-access"),
    path("audit/", audit.audit_events, name="audit"),
    path("break-glass/", audit.break_glass_review, name="break-glass-review"),
    path("linkage/", linkage.review_queue, name="linkage"),
    path("linkage/pairs/<int:pk>/", linkage.review_pair, name="linkage-pair"),
    path("linkage/people/<str:patient_id>/", linkage.review_person, name="linkage-person"),
]
