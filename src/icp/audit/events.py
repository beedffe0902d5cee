"""The closed list of audit event types: every event in the chain is one of these.

An event's type says what happened (`record.read`, `meeting.create`, ...). The stored strings are the
ones icp has always written, so the rows already in a chain keep their meaning and their hashes.
`icp.audit.log.record()` refuses any other string, so a new kind of event starts here, with a
sentence saying what it records, and in docs/audit-events.md, which lists them all for an
information-governance lead (a test keeps the two in step).
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """What an audit event records. The value is the string stored in `AuditEvent.action`."""

    description: str

    def __new__(cls, value: str, description: str = "") -> EventType:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    # Partnership
    ADMIN_ADD = "admin.add", "An administrator added a governance row in the admin site."
    ADMIN_CHANGE = "admin.change", "An administrator changed a governance row in the admin site."
    ADMIN_DELETE = "admin.delete", "An administrator deleted a row in the admin site."
    ADMIN_CREATE = "admin.create", "An administrator added a partnership row in the admin site."
    ADMIN_UPDATE = "admin.update", "An administrator changed a partnership row in the admin site."
    COMMITTEE_CHANGE = (
        "committee.change",
        "A committee's membership was changed (refusals only: the changes themselves are membership.*).",
    )
    COMMITTEE_CHAIR_ELECTED = "committee.chair_elected", "A committee elected its chair."
    MEMBERSHIP_CREATE = "membership.create", "A person was given a seat on a committee."
    MEMBERSHIP_UPDATE = "membership.update", "A committee membership was changed or ended."
    PERSON_CREATE = (
        "person.create",
        "A person (a committee member or member of staff, not a patient) was added to the registry.",
    )
    REFERENCE_LOAD = "reference.load", "The reference registry (areas, organisations, practices) was loaded."
    USER_CREATE = "user.create", "A login account was created (on the command line or by the demo)."
    API_TOKEN_ISSUE = (
        "api_token.issue",
        "An API token was issued to a user (the key is shown once and never stored).",
    )
    API_TOKEN_REVOKE = "api_token.revoke", "An API token was revoked (it authenticates no one from then on)."
    API_TOKEN_LIST = "api_token.list", "A login's API tokens were listed (names and dates, never keys)."
    API_TOKEN_REFUSED = "api_token.refused", "An expired or revoked API token was presented and refused."
    DEMO_PARTNERSHIP = "demo.partnership", "The demo partnership was loaded (synthetic data)."

    # The audit chain itself (system events)
    AUDIT_KEY_ROTATED = (
        "audit.key_rotated",
        "The audit chain started signing with a new key (the old key is kept to verify).",
    )
    AUDIT_CHAIN_ANCHORED = (
        "audit.chain_anchored",
        "Events written before the chain was keyed were anchored by the first keyed event.",
    )
    AUDIT_RESTORED = (
        "audit.restored",
        "After a backup was restored, the chain recorded where it resumed and the events lost.",
    )

    # Login
    LOGIN_FAILED = "login.failed", "A login failed (wrong username or password)."
    LOGIN_LOCKED = (
        "login.locked",
        "A login was refused after repeated failures (that account from that address, or that address).",
    )
    TWO_FACTOR_ENROL = "two_factor.enrol", "A user set up an authenticator app for two-factor sign-in."
    TWO_FACTOR_FAILED = (
        "two_factor.failed",
        "A two-factor code was wrong, or refused after too many wrong codes.",
    )
    TWO_FACTOR_RESET = (
        "two_factor.reset",
        "A login's authenticator apps were removed (it enrols again at sign-in).",
    )
    SESSION_IDLE_END = (
        "session.idle_end",
        "A session was ended after a period of inactivity, or at its time limit.",
    )

    # Information sharing: reads of a person's record
    RECORD_READ = "record.read", "A page of a person's shared care record was shown."
    RECORD_ACCESS = "record.access", "An access decision for one category of a person's record."
    API_RECORD_READ = "api.record.read", "A person's record was read through the JSON API."
    API_DECISION = "api.decision", "An access decision was asked for through the JSON API."
    FHIR_READ = "fhir.read", "A FHIR resource about a person was read."
    FHIR_SEARCH = "fhir.search", "A FHIR search about a person was run."
    FHIR_AUDIT = "fhir.audit", "The FHIR AuditEvent endpoint was read."
    PATIENT_SEARCH = "patient.search", "A search for a person (the fields used and whom it returned)."
    ACCESS_LOG_VIEW = "access_log.view", "A person's access log was viewed."
    SUBJECT_ACCESS_EXPORT = (
        "subject_access.export",
        "An IG lead produced a person's subject-access export (their record and access log).",
    )
    CHOICE_VIEW = "choice.view", "A person's recorded choices were viewed."
    CHOICE_RECORD = (
        "choice.record",
        "A person's choice (consent, opt-out, sensitive records withheld) was recorded.",
    )
    CHOICE_RECORD_CHECK = "choice.record.check", "The access decision asked before recording a choice."
    OPT_OUTS_COUNT = "opt_outs.count", "An ICP's planning opt-out count was read."

    # Information sharing: agreements and break glass
    AGREEMENT_CREATE = "agreement.create", "A data sharing agreement was drafted."
    AGREEMENT_SIGN = "agreement.sign", "An organisation signed a data sharing agreement."
    AGREEMENT_WITHDRAW = "agreement.withdraw", "An organisation withdrew from a data sharing agreement."
    BREAK_GLASS_START = "break_glass.start", "A clinician broke the glass to see a record in an emergency."
    BREAK_GLASS_REVIEW = "break_glass.review", "An IG lead reviewed a break glass."
    BREAK_GLASS_LIST = "break_glass.list", "An IG lead listed the break glasses awaiting review."
    AUDIT_VIEW = "audit.view", "An IG lead viewed the audit trail."
    AUDIT_EXPORT = "audit.export", "An IG lead exported the audit trail as CSV."

    # Care relationships
    CARE_RELATIONSHIP_OPEN = (
        "care_relationship.open",
        "A legitimate relationship between a person and an organisation, team or user was opened.",
    )
    CARE_RELATIONSHIP_CLOSE = "care_relationship.close", "A legitimate relationship was closed."
    CARE_TEAM_ADD = "care_team.add", "A person was added to someone's care team."
    CARE_TEAM_ADD_CHECK = "care_team.add.check", "The access decision asked before adding to a care team."
    CARE_TEAM_END = "care_team.end", "A care team membership was ended."
    CARE_TEAM_END_CHECK = (
        "care_team.end.check",
        "The access decision asked before ending a care team membership.",
    )
    REFERRAL_OPEN = "referral.open", "A referral was opened."
    REFERRAL_OPEN_CHECK = "referral.open.check", "The access decision asked before opening a referral."
    REFERRAL_CLOSE = "referral.close", "A referral was closed."
    MDT_LIST_CREATE = "mdt_list.create", "An MDT list was created."
    MDT_LIST_ADD = "mdt_list.add", "A person was added to an MDT list."
    MDT_LIST_ADD_CHECK = "mdt_list.add.check", "The access decision asked before adding to an MDT list."
    MDT_LIST_REMOVE = "mdt_list.remove", "A person was taken off an MDT list."

    # Record linkage: one person across sources
    LINKAGE_RUN = (
        "linkage.run",
        "Record linkage ran for an ICP (counts of records, persons, links by rule and pairs to review).",
    )
    LINKAGE_QUEUE_VIEW = "linkage.queue.view", "The record-linkage review queue of an ICP was viewed."
    LINKAGE_PAIR_VIEW = (
        "linkage.pair.view",
        "Records under linkage review (a pair, or one person's linked records) were viewed side by side.",
    )
    LINKAGE_LINK = "linkage.link", "A reviewer decided two records are the same person and linked them."
    LINKAGE_KEEP_APART = "linkage.keep_apart", "A reviewer decided two records are not the same person."
    LINKAGE_SPLIT = (
        "linkage.split",
        "A reviewer took a record out of the person it was linked to (a wrong link undone).",
    )

    # Risk stratification and worklists
    CARE_PATIENT_INDEX_SYNC = (
        "care.patient_index.sync",
        "The patient index was synchronised from the warehouse.",
    )
    RISK_SYNC = "risk.sync", "Risk results were synchronised from a stratification run."
    RISK_PERSON_VIEW = "risk.person.view", "One person's risk explanation was viewed."
    WORKLIST_VIEW = "worklist.view", "A practice's case-finding worklist was viewed."
    WORKLIST_EXPORT = "worklist.export", "A practice's case-finding worklist was exported."
    WORKLIST_REVIEW = "worklist.review", "A person on a worklist was marked reviewed."
    WORKLIST_REVIEW_ACCESS = (
        "worklist.review.access",
        "The access decision asked before marking a worklist review.",
    )
    POPULATION_VIEW = "population.view", "An ICP's registered-population view was shown."

    # Evaluation (aggregate, disclosure-controlled figures only)
    EVALUATION_VIEW = (
        "evaluation.view",
        "An evaluation page of an ICP was shown (indicators, practices, inequalities or the report).",
    )
    EVALUATION_DOWNLOAD = (
        "evaluation.download",
        "A published indicator table of an ICP was downloaded as CSV.",
    )

    # Background jobs (refreshes and reports run by `icp worker`)
    JOB_START = "job.start", "A background job was started, by a person or by the nightly schedule."
    JOB_FINISH = "job.finish", "A background job finished or failed (its outcome is on the job)."
    JOB_VIEW = "job.view", "An ICP's background jobs were asked for (refusals only)."
    JOB_DOWNLOAD = "job.download", "The file a background job made (a report) was downloaded."

    # Records warehouse (batch commands)
    RECORDS_INGEST = "records.ingest", "Records were ingested into the warehouse."
    RECORDS_SYNTH = "records.synth", "A synthetic population was written to the warehouse."
    RECORDS_PUBLISH_CARE = (
        "records.publish_care",
        "The care app's enrolments, referrals and care plans were published to the warehouse "
        "(pseudonymous, for evaluation).",
    )
    RECORDS_EXPORT_FHIR = "records.export_fhir", "The warehouse was exported as FHIR Bulk Data NDJSON."
    RECORDS_CHECK_DATA = (
        "records.check_data",
        "The warehouse's data quality was checked (counts of each kind of finding).",
    )

    # Governance: meetings
    MEETING_CREATE = "meeting.create", "A committee meeting was scheduled."
    MEETING_CANCEL = "meeting.cancel", "A meeting was cancelled."
    AGENDA_ITEM_CREATE = "agenda_item.create", "An agenda item was added to a meeting."
    AGENDA_ITEM_UPDATE = (
        "agenda_item.update",
        "An agenda item's title, purpose, presenter or summary was changed.",
    )
    AGENDA_ITEM_MOVE = "agenda_item.move", "An agenda item was moved up or down its meeting's agenda."
    AGENDA_ITEM_REMOVE = "agenda_item.remove", "An agenda item (with its papers) was removed from a meeting."
    PAPER_UPLOAD = "paper.upload", "A paper was attached to an agenda item."
    PAPER_DOWNLOAD = "paper.download", "A committee paper was downloaded."
    ATTENDANCE_RECORD = "attendance.record", "Attendance at a meeting was recorded."
    APOLOGIES_SEND = "apologies.send", "A member sent their apologies for a coming meeting."
    APOLOGIES_WITHDRAW = "apologies.withdraw", "A member withdrew their apologies: they can come after all."
    MINUTES_SAVE = "minutes.save", "A meeting's minutes were saved."
    MINUTES_APPROVE = "minutes.approve", "A meeting's minutes were approved."
    DECISION_CREATE = "decision.create", "A decision was recorded against an agenda item."
    ACTION_ITEM_CREATE = "action_item.create", "An action was recorded against a meeting."
    ACTION_ITEM_UPDATE = "action_item.update", "An action's status was changed."
    QUORUM_RULE_SET = "quorum_rule.set", "A committee's quorum rule was set."

    # Governance: business cases
    BUSINESS_CASE_CREATE = "business_case.create", "A business case was drafted."
    BUSINESS_CASE_UPDATE = "business_case.update", "A draft business case was changed."
    BUSINESS_CASE_FUNDING = "business_case.funding", "Money was requested in a business case."
    BUSINESS_CASE_STAFF = "business_case.staff", "Staff were requested in a business case."
    BUSINESS_CASE_BENEFIT = "business_case.benefit", "An expected benefit was added to a business case."
    BUSINESS_CASE_SUBMIT = "business_case.submit", "A business case was submitted to the commissioning body."
    BUSINESS_CASE_RESUBMIT = "business_case.resubmit", "A returned business case was resubmitted."
    BUSINESS_CASE_START_REVIEW = (
        "business_case.start_review",
        "The commissioning body started reviewing a business case.",
    )
    BUSINESS_CASE_APPROVE = "business_case.approve", "A business case was approved."
    BUSINESS_CASE_DECLINE = "business_case.decline", "A business case was declined."
    BUSINESS_CASE_RETURN_FOR_CHANGES = (
        "business_case.return_for_changes",
        "A business case was returned for changes.",
    )
    BUSINESS_CASE_START_IMPLEMENTATION = (
        "business_case.start_implementation",
        "An approved business case went into implementation.",
    )
    BUSINESS_CASE_RECORD_EVALUATION = (
        "business_case.record_evaluation",
        "A business case's evaluation was recorded.",
    )
    BUSINESS_CASE_CLOSE = "business_case.close", "A business case was closed."
    BENEFIT_MEASURE = "benefit.measure", "A measured value of an expected benefit was entered."

    # Governance: plans, projects and strategy
    PLAN_CREATE = "plan.create", "An ICP's annual plan was created."
    PLAN_OBJECTIVE = "plan.objective", "An objective was added to an annual plan."
    PLAN_MILESTONE = "plan.milestone", "A milestone was added to an annual plan."
    PLAN_MILESTONE_UPDATE = "plan.milestone_update", "A milestone's RAG status was updated."
    PROJECT_CREATE = "project.create", "A project was created."
    PROJECT_ADOPT = "project.adopt", "Another ICP adopted a project."
    STRATEGY_CREATE = "strategy.create", "An area's integrated care strategy was created."
    STRATEGY_CHANGE = "strategy.change", "An integrated care strategy was changed (refusals only)."
    STRATEGY_PRIORITY = "strategy.priority", "A priority was added to a strategy."
    STRATEGY_OUTCOME = "strategy.outcome", "An outcome was added to a strategy priority."

    # Governance: echo learning networks
    ECHO_NETWORK_CREATE = "echo.network_create", "An ECHO learning network was created."
    ECHO_SESSION = "echo.session", "An ECHO session was recorded."
    ECHO_ATTENDANCE = "echo.attendance", "Attendance at an ECHO session was recorded."
    ECHO_IMPORT = "echo.import", "An ECHO attendance file was imported."

    # Care pathways: pathways, plans, care teams, MDT, referrals, emergency lists
    CARE_ACCESS = (
        "care.access",
        "The access decision asked before care work on a person (enrol, plan, refer, MDT, outreach).",
    )
    CARE_PERSON_VIEW = (
        "care.person.view",
        "A person's care page (pathways, care plans, care team, referrals) was shown.",
    )
    REFERRAL_CREATE = (
        "referral.create",
        "A referral (ServiceRequest and Task) was made, as a draft or requested.",
    )
    REFERRAL_MOVE = (
        "referral.move",
        "A referral's Task was moved from one status to another (or the move was refused).",
    )
    REFERRAL_REROUTE = (
        "referral.reroute",
        "A rejected referral was re-routed to another service.",
    )
    REFERRAL_READ = (
        "referral.read",
        "The access decision on reading one referral (its referral basis): a party read it, or was refused.",
    )
    REFERRAL_LIST = (
        "referral.list",
        "An organisation's referral inbox or outbox was listed, each referral passed by the access decision.",
    )
    ENROLMENT_CREATE = (
        "enrolment.create",
        "A person was enrolled in a care pathway.",
    )
    ENROLMENT_END = (
        "enrolment.end",
        "A person left a care pathway.",
    )
    ENROLMENT_REVIEW = (
        "enrolment.review",
        "A pathway enrolment was reviewed.",
    )
    CARE_PLAN_CREATE = (
        "care_plan.create",
        "A care plan was started.",
    )
    CARE_PLAN_GOAL = (
        "care_plan.goal",
        "A goal of a care plan was added or changed.",
    )
    CARE_PLAN_ACTIVITY = (
        "care_plan.activity",
        "An activity of a care plan was added or updated.",
    )
    CARE_PLAN_REVIEW = (
        "care_plan.review",
        "A care plan was reviewed with the person.",
    )
    ACTIVITY_LIST = (
        "care_plan.activity.list",
        "An organisation's open care-plan activities (its people to review) were listed, each person "
        "passed by the access decision.",
    )
    CASELOAD_VIEW = (
        "caseload.view",
        "A practice's pathway caseload was viewed.",
    )
    CASELOAD_ICP_VIEW = (
        "caseload.icp.view",
        "An ICP's pathway caseloads and referral times were viewed (aggregates).",
    )
    DEATH_RECORD = (
        "death.record",
        "A death was recorded: relationships, referrals, enrolments and plans closed.",
    )
    DEATH_REVIEW = (
        "death.review",
        "A practice's recent deaths were reviewed (who died, and whether any care is still open).",
    )
    MDT_MEETING_SCHEDULE = (
        "mdt_meeting.schedule",
        "An MDT meeting was scheduled (open actions carried to it).",
    )
    MDT_MEETING_ATTENDANCE = (
        "mdt_meeting.attendance",
        "Someone's attendance at an MDT meeting was recorded.",
    )
    MDT_MEETING_VIEW = (
        "mdt_meeting.view",
        "An MDT meeting's case list was viewed.",
    )
    MDT_LIST_VIEW = (
        "mdt_list.view",
        "An MDT's meetings page was viewed (refusals only).",
    )
    MDT_CASE_ADD = (
        "mdt_case.add",
        "A person was put on an MDT meeting's case list.",
    )
    MDT_CASE_DISCUSS = (
        "mdt_case.discuss",
        "An MDT's discussion and outcome of a case were recorded.",
    )
    MDT_ACTION_ADD = (
        "mdt_action.add",
        "An action was agreed on an MDT case.",
    )
    MDT_ACTION_COMPLETE = (
        "mdt_action.complete",
        "An MDT action was marked done.",
    )
    CARE_TEAM_COORDINATOR = (
        "care_team.coordinator",
        "A care team member was named the person's care coordinator.",
    )
    CARER_ADD = (
        "carer.add",
        "A carer was linked to the person they care for.",
    )
    CARER_END = (
        "carer.end",
        "A carer link was ended.",
    )
    EMERGENCY_LIST_BUILD = (
        "emergency_list.build",
        "An emergency-response list was built from registers, scores and flags.",
    )
    EMERGENCY_LIST_VIEW = (
        "emergency_list.view",
        "An emergency-response list was viewed.",
    )
    OUTREACH_RECORD = (
        "outreach.record",
        "An outreach contact with a person on an emergency-response list was logged.",
    )
