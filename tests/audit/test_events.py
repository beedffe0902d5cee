"""Audit event types are one closed list: written only through the enum, documented, and complete."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from icp.audit.events import EventType
from icp.audit.log import record
from icp.audit.models import AuditEvent
from icp.governance.cases.lifecycle import TRANSITIONS

SOURCE = Path(__file__).resolve().parents[2] / "src" / "icp"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "audit-events.md"
EVENT_NAME = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts and path != SOURCE / "audit" / "events.py"
    ]


def test_every_event_type_has_a_distinct_name_and_says_what_it_records() -> None:
    assert len({member.value for member in EventType}) == len(EventType)
    for member in EventType:
        assert EVENT_NAME.match(member.value), member
        assert member.description.endswith("."), member


def test_the_docs_list_exactly_the_event_types_with_the_same_words() -> None:
    documented = dict(re.findall(r"^\| `([a-z_.]+)` \| (.+) \|$", DOCS.read_text(), flags=re.MULTILINE))
    assert documented == {member.value: member.description for member in EventType}


def test_no_module_writes_an_event_type_as_a_free_string() -> None:
    """Outside the enum, an event type is always `EventType.X`: never a string, never an f-string
    passed as `action=`. So the enum is every event type icp writes, and a typo cannot slip by."""
    values = {member.value for member in EventType}
    free: list[str] = []
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(SOURCE)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and node.value in values:
                free.append(f"{where} {node.value!r}")
            literal = isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant | ast.JoinedStr)
            if literal and isinstance(node, ast.keyword) and node.arg == "action":
                free.append(f"{where} action={ast.unparse(node.value)}")
    assert free == []


def test_event_types_built_from_a_verb_all_exist() -> None:
    """Two places build the type from a verb: each business-case lifecycle step has its own type,
    and each care-relationship change asks the access decision under `<type>.check`."""
    for verb in TRANSITIONS:
        assert EventType(f"business_case.{verb}")
    for changed in (
        EventType.CARE_TEAM_ADD,
        EventType.CARE_TEAM_END,
        EventType.REFERRAL_OPEN,
        EventType.MDT_LIST_ADD,
        EventType.CHOICE_RECORD,
    ):
        assert EventType(f"{changed}.check")


@pytest.mark.django_db
def test_an_event_of_an_unknown_type_is_refused_and_nothing_is_written() -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match=r"record\.reed"):
        record(action="record.reed")  # type: ignore[arg-type]
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_the_stored_string_is_the_one_icp_always_wrote() -> None:
    event = record(action=EventType.RECORD_READ, patient_ref="p1")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "record.read" and type(stored.action) is str
