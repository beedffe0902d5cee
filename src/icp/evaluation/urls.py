"""Page URLs of the evaluation app."""

from django.urls import URLPattern, URLResolver, path

from icp.evaluation import views

app_name = "evaluation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("icp/<str:code>/", views.indicators, name="indicators"),
    path("icp/<str:code>/practices/<str:indicator>/", views.practices, name="practices"),
    path("icp/<str:code>/inequalities/", views.inequalities, name="inequalities"),
    path("icp/<str:code>/report/", views.report, name="report"),
    path("icp/<str:code>/report.pdf", views.report_as_pdf, name="report-pdf"),
    path("icp/<str:code>/download/<str:name>.csv", views.download, name="download"),
]
