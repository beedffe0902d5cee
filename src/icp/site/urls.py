"""URL map: pages, the admin, the JSON API under /api/ and each app's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from icp.site import two_factor
from icp.site.api import api
from icp.site.views import health, home, partnership_home

admin.site.site_header = "icp administration"
admin.site.site_title = "icp"

urlpatterns = [
    path("", home, name="home"),
    path("health", health, name="health"),
    path("icp/<str:code>/", partnership_home, name="icp-home"),
    path("accounts/login/", two_factor.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.verify, name="two-factor-verify"),
    path("accounts/two-factor/set-up/", two_factor.enrol, name="two-factor-enrol"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("governance/", include("icp.governance.urls")),
    path("sharing/", include("icp.sharing.urls")),
    path("care/", include("icp.care.urls")),
    path("evaluation/", include("icp.evaluation.urls")),
    path("fhir/", include("icp.fhir.urls")),
    path("jobs/", include("icp.jobs.urls")),
]
