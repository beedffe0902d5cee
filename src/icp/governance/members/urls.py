"""Page URLs for a committee's seats and members.

Part of the governance URL map (`governance/urls.py`), so the names are `governance:...`.
"""

from django.urls import URLPattern, path

from icp.governance.members import views

urlpatterns: list[URLPattern] = [
    path("committees/<int:committee_id>/members/", views.members, name="members"),
    path("committees/<int:committee_id>/seats/<slug:seat_code>/fill/", views.fill_seat, name="seat-fill"),
    path("memberships/<int:membership_id>/", views.change_membership, name="membership-change"),
]
