"""URLs of the jobs pages, under /jobs/."""

from django.urls import path

from icp.jobs import views

app_name = "jobs"

urlpatterns = [
    path("icp/<str:code>/", views.icp_jobs, name="icp"),
    path("icp/<str:code>/start/", views.start_job, name="start"),
    path("<int:job_id>/", views.job_detail, name="job"),
    path("<int:job_id>/progress.json", views.job_progress, name="progress"),
    path("<int:job_id>/download/", views.job_download, name="download"),
]
