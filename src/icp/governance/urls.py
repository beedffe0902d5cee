"""Page URLs of the governance app (mounted at /governance/): the home pages, then each subject's."""

from django.urls import URLPattern, URLResolver, path

from icp.governance import home
from icp.governance.cases import urls as cases
from icp.governance.echo import urls as echo
from icp.governance.meetings import urls as meetings
from icp.governance.members import urls as members
from icp.governance.plans import urls as plans

app_name = "governance"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("guide/", home.guide, name="guide"),
    path("icp/<str:code>/", home.icp_governance, name="icp"),
    *meetings.urlpatterns,
    *members.urlpatterns,
    *cases.urlpatterns,
    *plans.urlpatterns,
    *echo.urlpatterns,
]
