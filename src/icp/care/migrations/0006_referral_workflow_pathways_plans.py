"""The referral becomes the full referral (FHIR ServiceRequest + Task); services, pathway enrolments
and care plans arrive.

Written by hand so that the referrals moved from `sharing` keep their rows: the organisations and the
service's name are renamed, not dropped; each row gets its own opaque id; an open referral becomes an
accepted Task (it already gave the receiving organisation a relationship) and a closed one a completed
Task, with its dates kept as the clocks (docs/adr/0110-referrals-as-tasks.md).
"""

import datetime
import hashlib
import hmac

import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models

import icp.care.referrals.models


def _at(day):  # type: ignore[no-untyped-def]
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC)


def _legacy_public_id(pk: int) -> str:
    """The same opaque id on every run of this migration (so undoing and redoing it changes nothing),
    and not guessable without the deployment's secret key."""
    return hmac.new(settings.SECRET_KEY.encode(), f"referral-{pk}".encode(), hashlib.sha256).hexdigest()[:20]


def referrals_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Referral = apps.get_model("care", "Referral")
    for referral in Referral.objects.select_related("patient").order_by("pk"):
        closed = referral.status == "closed"
        requested = _at(referral.opened_on)
        # update(), not save(): no auto_now stamp, so the row is the same on every run.
        Referral.objects.filter(pk=referral.pk).update(
            public_id=_legacy_public_id(referral.pk),
            status="completed" if closed else "accepted",
            requested_at=requested,
            accepted_at=requested,
            created_at=requested,
            last_modified=requested,
            ended_at=_at(referral.closed_on) if closed else None,
            reason=referral.reason or "Recorded before the referral workflow.",
            synthetic=referral.patient.synthetic,
        )


def referrals_backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Referral = apps.get_model("care", "Referral")
    for referral in Referral.objects.order_by("pk"):
        Referral.objects.filter(pk=referral.pk).update(
            opened_on=(referral.requested_at or referral.created_at).date(),
            closed_on=referral.ended_at.date() if referral.ended_at else None,
            status="closed" if referral.ended_at else "open",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0005_fill_care_relationships"),
        ("partnership", "0001_initial"),
        ("patients", "0002_carerelationship"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name="referral", old_name="from_organisation", new_name="requester_organisation"
        ),
        migrations.RenameField(
            model_name="referral", old_name="to_organisation", new_name="owner_organisation"
        ),
        migrations.RenameField(model_name="referral", old_name="service", new_name="service_name"),
        migrations.AlterField(
            model_name="referral",
            name="requester_organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals_requested",
                to="partnership.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="owner_organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals_owned",
                to="partnership.organisation",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="public_id",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.AlterModelOptions(
            name="referral",
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.AddField(
            model_name="referral",
            name="accepted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="code",
            field=models.CharField(
                blank=True, help_text="SNOMED CT code of what is requested", max_length=20
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="code_display",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="referral",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="referral",
            name="ended_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="last_modified",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="last_modified_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="needs",
            field=models.JSONField(blank=True, default=list, help_text="Need codes (see Need)"),
        ),
        migrations.AddField(
            model_name="referral",
            name="note",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="output",
            field=models.TextField(blank=True, help_text="The outcome the owner returns (Task.output)"),
        ),
        migrations.AddField(
            model_name="referral",
            name="priority",
            field=models.CharField(
                choices=[("routine", "Routine"), ("urgent", "Urgent"), ("asap", "As soon as possible")],
                default="routine",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="reason",
            field=models.TextField(
                default="", help_text="Why the person is referred (ServiceRequest.reasonCode text)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="referral",
            name="replaces",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="replaced_by",
                to="care.referral",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="requested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Blank only for referrals recorded before the referral workflow",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="status_reason",
            field=models.TextField(blank=True, help_text="Why it was rejected, cancelled, held or failed"),
        ),
        migrations.AddField(
            model_name="referral",
            name="synthetic",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="referral",
            name="version",
            field=models.PositiveIntegerField(default=1, help_text="Bumped on every change (the FHIR ETag)"),
        ),
        migrations.AlterField(
            model_name="referral",
            name="patient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals",
                to="patients.patientindex",
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("draft", "Draft"),
                    ("requested", "Requested"),
                    ("accepted", "Accepted"),
                    ("rejected", "Rejected"),
                    ("in-progress", "In progress"),
                    ("on-hold", "On hold"),
                    ("completed", "Completed"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled"),
                    ("entered-in-error", "Entered in error"),
                ],
                db_index=True,
                default="draft",
                max_length=16,
            ),
        ),
        migrations.AlterField(model_name="referral", name="opened_on", field=models.DateField(null=True)),
        migrations.RunPython(referrals_forward, referrals_backward),
        migrations.AlterField(
            model_name="referral",
            name="public_id",
            field=models.CharField(
                default=icp.care.referrals.models.new_public_id, editable=False, max_length=32, unique=True
            ),
        ),
        migrations.RemoveField(model_name="referral", name="opened_on"),
        migrations.RemoveField(model_name="referral", name="closed_on"),
        migrations.CreateModel(
            name="CarePlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_id",
                    models.CharField(
                        default=icp.care.referrals.models.new_public_id,
                        editable=False,
                        max_length=32,
                        unique=True,
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("completed", "Completed"),
                            ("revoked", "Ended early"),
                            ("entered-in-error", "Entered in error"),
                        ],
                        default="active",
                        max_length=20,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("review_on", models.DateField(help_text="When the plan is next reviewed with the person")),
                ("last_reviewed_on", models.DateField(blank=True, null=True)),
                ("last_modified", models.DateTimeField(auto_now=True)),
                ("version", models.PositiveIntegerField(default=1)),
                ("synthetic", models.BooleanField(default=False)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="care_plans_authored",
                        to="partnership.organisation",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="care_plans",
                        to="patients.patientindex",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Activity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_id",
                    models.CharField(
                        default=icp.care.referrals.models.new_public_id,
                        editable=False,
                        max_length=32,
                        unique=True,
                    ),
                ),
                ("description", models.CharField(max_length=300)),
                (
                    "step",
                    models.CharField(blank=True, help_text="The pathway step it comes from", max_length=64),
                ),
                (
                    "code",
                    models.CharField(
                        blank=True, help_text="SNOMED CT code of the intervention", max_length=20
                    ),
                ),
                ("code_display", models.CharField(blank=True, max_length=200)),
                ("due_on", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("not-started", "Not started"),
                            ("scheduled", "Booked"),
                            ("in-progress", "In progress"),
                            ("completed", "Done"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="not-started",
                        max_length=16,
                    ),
                ),
                ("completed_on", models.DateField(blank=True, null=True)),
                ("outcome", models.TextField(blank=True)),
                (
                    "owner_organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="care_activities",
                        to="partnership.organisation",
                    ),
                ),
                (
                    "owner_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="care_activities",
                        to="care.referral",
                    ),
                ),
                (
                    "care_plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activities",
                        to="care.careplan",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "activities",
                "ordering": ["due_on", "id"],
            },
        ),
        migrations.CreateModel(
            name="Enrolment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_id",
                    models.CharField(
                        default=icp.care.referrals.models.new_public_id,
                        editable=False,
                        max_length=32,
                        unique=True,
                    ),
                ),
                (
                    "pathway",
                    models.CharField(db_index=True, help_text="The pathway definition's id", max_length=32),
                ),
                ("pathway_version", models.CharField(max_length=16)),
                ("reason", models.TextField(help_text="Why this person was enrolled")),
                (
                    "entry_reasons",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The entry criteria met at enrolment (empty: clinical judgement)",
                    ),
                ),
                ("started_on", models.DateField()),
                ("next_review_on", models.DateField()),
                ("last_reviewed_on", models.DateField(blank=True, null=True)),
                ("ended_on", models.DateField(blank=True, null=True)),
                (
                    "end_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("goals_met", "Goals met: care continues as usual"),
                            ("declined", "The person declined or withdrew"),
                            ("no_longer_eligible", "No longer meets the entry criteria"),
                            ("moved_away", "Moved away or changed practice"),
                            ("transferred", "Transferred to another pathway"),
                            ("died", "Died"),
                            ("entered_in_error", "Enrolled in error"),
                        ],
                        max_length=24,
                    ),
                ),
                ("end_note", models.TextField(blank=True)),
                ("synthetic", models.BooleanField(default=False)),
                (
                    "ended_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "enrolled_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enrolments",
                        to="partnership.organisation",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enrolments",
                        to="patients.patientindex",
                    ),
                ),
            ],
            options={
                "ordering": ["-started_on", "-id"],
            },
        ),
        migrations.AddField(
            model_name="careplan",
            name="enrolment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="care_plans",
                to="care.enrolment",
            ),
        ),
        migrations.CreateModel(
            name="Goal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_id",
                    models.CharField(
                        default=icp.care.referrals.models.new_public_id,
                        editable=False,
                        max_length=32,
                        unique=True,
                    ),
                ),
                ("description", models.TextField(help_text="What matters to the person, in their own words")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Working on it"),
                            ("completed", "Achieved"),
                            ("cancelled", "No longer wanted"),
                        ],
                        default="active",
                        max_length=16,
                    ),
                ),
                ("target_date", models.DateField(blank=True, null=True)),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "care_plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="goals", to="care.careplan"
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="Service",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_id",
                    models.CharField(
                        default=icp.care.referrals.models.new_public_id,
                        editable=False,
                        max_length=32,
                        unique=True,
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("social_prescribing", "Social prescribing (link workers)"),
                            ("community_support_hub", "Community support hub"),
                            ("voluntary_support", "Voluntary and community support"),
                            ("falls", "Falls prevention service"),
                            ("pulmonary_rehabilitation", "Pulmonary rehabilitation"),
                            ("respiratory", "Community respiratory team"),
                            ("podiatry", "Podiatry and foot protection"),
                            ("palliative", "Palliative and end of life care"),
                            ("mental_health", "Mental health"),
                            ("community_nursing", "Community and district nursing"),
                            ("pharmacy", "Pharmacy service"),
                            ("other", "Other"),
                        ],
                        db_index=True,
                        max_length=32,
                    ),
                ),
                ("description", models.TextField(blank=True)),
                ("eligibility", models.TextField(help_text="Who the service is for")),
                (
                    "needs",
                    models.JSONField(default=list, help_text="Need codes the service meets (see Need)"),
                ),
                (
                    "capacity_per_week",
                    models.PositiveIntegerField(blank=True, help_text="New referrals a week", null=True),
                ),
                ("hours", models.CharField(blank=True, max_length=200)),
                ("contact", models.CharField(blank=True, max_length=200)),
                (
                    "response_days",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="The service's stated time to accept or reject a referral, in days",
                    ),
                ),
                (
                    "completion_days",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="The service's stated time to complete an accepted referral",
                        null=True,
                    ),
                ),
                (
                    "referral_code",
                    models.CharField(blank=True, help_text="SNOMED CT code of a referral", max_length=20),
                ),
                ("referral_display", models.CharField(blank=True, max_length=200)),
                ("accepts_referrals", models.BooleanField(default=True)),
                ("active", models.BooleanField(default=True)),
                ("synthetic", models.BooleanField(default=False)),
                ("areas", models.ManyToManyField(blank=True, related_name="services", to="partnership.area")),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="services",
                        to="partnership.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.AddField(
            model_name="referral",
            name="service",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals",
                to="care.service",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["owner_organisation", "status"], name="sharing_ref_owner_o_eb14ba_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["requester_organisation", "status"], name="sharing_ref_request_d98da7_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                fields=["organisation", "pathway", "ended_on"], name="care_enrolm_organis_003539_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_on__isnull", True)),
                fields=("patient", "pathway"),
                name="care_one_open_enrolment_per_pathway",
            ),
        ),
    ]
