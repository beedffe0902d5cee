"""Page URLs of the care app: worklists, a person's risk, the ICP population, and care work
(referral inbox and outbox, referrals, the services directory)."""

from django.urls import URLPattern, URLResolver, path

from icp.care import death_views, person_views, risk_views
from icp.care.emergency import views as emergency_views
from icp.care.mdt import views as mdt_views
from icp.care.pathways import views as pathway_views
from icp.care.plans import views as plan_views
from icp.care.referrals import views as referral_views

app_name = "care"
urlpatterns: list[URLPattern | URLResolver] = [
    path("practice/<str:code>/worklist/", risk_views.worklist, name="worklist"),
    path("practice/<str:code>/worklist.csv", risk_views.worklist_csv, name="worklist-csv"),
    path("person/<str:patient_id>/risk/", risk_views.person_risk, name="person-risk"),
    path("person/<str:patient_id>/review/", risk_views.review, name="review"),
    path("icp/<str:code>/population/", risk_views.icp_population, name="population"),
    path("icp/<str:code>/pyramid.svg", risk_views.pyramid_svg, name="pyramid-svg"),
    path("referrals/inbox/", referral_views.inbox, name="inbox"),
    path("referrals/outbox/", referral_views.outbox, name="outbox"),
    path("referrals/<str:referral_id>/", referral_views.detail, name="referral"),
    path("referrals/<str:referral_id>/move/", referral_views.move, name="referral-move"),
    path("referrals/<str:referral_id>/reroute/", referral_views.reroute, name="referral-reroute"),
    path("person/<str:patient_id>/refer/", referral_views.refer, name="refer"),
    path("services/", referral_views.directory, name="services"),
    path("person/<str:patient_id>/", person_views.person, name="person"),
    path("person/<str:patient_id>/enrol/", pathway_views.enrol, name="enrol"),
    path("person/<str:patient_id>/plans/", person_views.new_plan, name="plan-new"),
    path("person/<str:patient_id>/plans/<str:plan_id>/", person_views.plan_change, name="plan-change"),
    path("enrolments/<str:enrolment_id>/leave/", pathway_views.leave, name="enrolment-leave"),
    path("practice/<str:code>/enrol/", pathway_views.enrol_selection, name="enrol-selection"),
    path("practice/<str:code>/caseload/", pathway_views.practice_caseload_page, name="practice-caseload"),
    path("icp/<str:code>/caseload/", pathway_views.icp_caseload_page, name="icp-caseload"),
    path("emergency/", emergency_views.lists, name="emergency-lists"),
    path("emergency/<str:list_id>/", emergency_views.list_page, name="emergency-list"),
    path("emergency/<str:list_id>/<int:entry_id>/contact/", emergency_views.outreach, name="outreach"),
    path("people-to-review/", plan_views.people_to_review, name="people-to-review"),
    path("mdt/", mdt_views.mdt_lists, name="mdt-lists"),
    path("mdt/<int:list_id>/", mdt_views.mdt_list_page, name="mdt-list"),
    path("mdt/meetings/<str:meeting_id>/", mdt_views.meeting_page, name="mdt-meeting"),
    path("mdt/meetings/<str:meeting_id>/change/", mdt_views.meeting_change, name="mdt-meeting-change"),
    path("person/<str:patient_id>/mdt/", mdt_views.list_person, name="mdt-list-person"),
    path("person/<str:patient_id>/team/", person_views.team_change, name="team-change"),
    path("practice/<str:code>/mdt/", mdt_views.list_selection, name="mdt-list-selection"),
    path("person/<str:patient_id>/death/", death_views.death, name="death"),
    path("practice/<str:code>/deaths/", death_views.practice_deaths, name="practice-deaths"),
]
