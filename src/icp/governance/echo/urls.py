"""Page URLs for ECHO learning networks.

Part of the governance URL map (`governance/urls.py`), so the names are `governance:...`.
"""

from django.urls import URLPattern, path

from icp.governance.echo import views

urlpatterns: list[URLPattern] = [
    path("echo/", views.network_list, name="echo"),
    path("echo/new/", views.network_new, name="echo-network-new"),
    path("echo/<int:network_id>/", views.network_detail, name="echo-network"),
    path("echo/<int:network_id>/sessions/new/", views.session_new, name="echo-session-new"),
]
