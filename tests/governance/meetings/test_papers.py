"""Uploaded papers: type and size checked by content, stored privately, served only with access."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from icp.governance.meetings import actions as actions
from icp.governance.meetings.papers import check_paper
from icp.governance.meetings.storage import papers_dir
from icp.governance.models import AgendaItem
from icp.governance.vocab import MeetingMode
from icp.partnership.models import Committee, User

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def agenda_item(committee: Committee, demo_manager: User) -> AgendaItem:
    meeting = actions.schedule_meeting(
        committee=committee,
        date=date(2026, 6, 1),
        by=demo_manager,
        mode=MeetingMode.IN_PERSON,
        location="Hall",
    )
    return actions.add_agenda_item(meeting=meeting, title="Finance report", by=demo_manager)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", PDF),
        ("report.docx", _docx()),
        ("notes.txt", "Plain text, with an en dash: \u2013".encode()),
    ],
)
def test_accepted_papers(name: str, content: bytes) -> None:
    checked = check_paper(SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    assert checked.size == len(content) and len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "type .exe is not accepted"),
        ("page.html", b"<script>alert(1)</script>", "type .html is not accepted"),
        ("noextension", PDF, r"type \(none\) is not accepted"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "not a valid .pdf file"),
        ("fake.docx", b"PK\x03\x04broken", "not a valid .docx file"),
        ("binary.txt", b"abc\x00def", "not a valid .txt file"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_papers(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_paper(SimpleUploadedFile(name, content))


def test_an_oversized_paper_is_refused() -> None:
    with pytest.raises(ValidationError, match="over the 1 MB limit"):
        check_paper(SimpleUploadedFile("big.pdf", PDF + b"0" * 1_048_576), max_bytes=1_048_576)


def test_a_paper_is_stored_outside_public_media_under_a_random_name(
    agenda_item: AgendaItem, demo_manager: User, settings: object
) -> None:
    paper = actions.upload_paper(
        agenda_item=agenda_item, upload=SimpleUploadedFile("../../etc/passwd.pdf", PDF), by=demo_manager
    )
    stored = Path(paper.file.path)
    assert stored.is_relative_to(papers_dir()) and stored.read_bytes() == PDF
    assert "passwd" not in stored.name and paper.original_name == "passwd.pdf"
    media_root = Path(getattr(settings, "MEDIA_ROOT"))  # noqa: B009
    assert not stored.is_relative_to(media_root)
    with pytest.raises(ValueError, match="no public URL"):
        _ = paper.file.url


def test_only_the_icps_manager_may_upload(
    agenda_item: AgendaItem, other_manager: User, demo_member: User
) -> None:
    for user in (other_manager, demo_member):
        with pytest.raises(PermissionDenied):
            actions.upload_paper(agenda_item=agenda_item, upload=SimpleUploadedFile("a.pdf", PDF), by=user)


def test_papers_are_served_only_to_those_who_may_see_the_committee(
    agenda_item: AgendaItem, demo_manager: User, demo_member: User, other_manager: User, demo_reviewer: User
) -> None:
    paper = actions.upload_paper(
        agenda_item=agenda_item, upload=SimpleUploadedFile("a.pdf", PDF), by=demo_manager
    )
    url = f"/governance/papers/{paper.pk}/"
    for user, expected in [
        (demo_member, 200),
        (demo_manager, 200),
        (other_manager, 403),
        (demo_reviewer, 403),
    ]:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user.username
        if expected == 200:
            assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
            assert response["Content-Type"] == "application/pdf"
            assert "attachment" in response["Content-Disposition"]
    assert Client().get(url).status_code == 302  # not logged in: to the login page
