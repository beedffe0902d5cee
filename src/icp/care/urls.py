"""Page URLs of the care app: risk-stratification worklists, a person's risk and the ICP population."""

from django.urls import URLPattern, URLResolver, path

from icp.care import risk_views

app_name = "care"
urlpatterns: list[URLPattern | URLResolver] = [
    path("practice/<str:code>/worklist/", risk_views.worklist, name="worklist"),
    path("practice/<str:code>/worklist.csv", risk_views.worklist_csv, name="worklist-csv"),
    path("person/<str:patient_id>/risk/", risk_views.person_risk, name="person-risk"),
    path("person/<str:patient_id>/review/", risk_views.review, name="review"),
    path("icp/<str:code>/population/", risk_views.icp_population, name="population"),
    path("icp/<str:code>/pyramid.svg", risk_views.pyramid_svg, name="pyramid-svg"),
]
