"""Building a meeting's agenda: the standard opening items, editing, moving and removing items.

Adding an item is `actions.add_agenda_item`; this module holds the rest of the agenda's verbs. Each
is an action in the house sense: keyword-only arguments, the acting user, a permission check that
refuses through `audit.deny()`, one transaction and one audit event.

An agenda stays open to change until the meeting's minutes are approved: from then on it is part
of the record of what the committee considered. A cancelled meeting's agenda is closed too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from icp.audit.events import EventType
from icp.audit.log import record
from icp.governance.meetings.actions import require_editor
from icp.governance.models import AgendaItem, Meeting, Paper
from icp.governance.vocab import AgendaPurpose, MeetingStatus, MinutesStatus
from icp.partnership.models import User


@dataclass(frozen=True)
class StandardItem:
    title: str
    purpose: str
    summary: str


# The usual opening business of a committee meeting, in the order standing orders put it: who sent
# apologies (and so whether the meeting is quorate), conflicts of interest before any item is
# discussed, the record of the last meeting, then what has happened since. This is common practice
# for NHS and HSC committees rather than one published standing order, so the words are ours.
STANDARD_AGENDA: tuple[StandardItem, ...] = (
    StandardItem(
        "Welcome and apologies",
        AgendaPurpose.INFORMATION,
        "The chair welcomes members and notes apologies and deputies; the meeting confirms it is quorate.",
    ),
    StandardItem(
        "Declarations of interest",
        AgendaPurpose.INFORMATION,
        "Members declare any interest in the items on this agenda.",
    ),
    StandardItem(
        "Minutes of the last meeting",
        AgendaPurpose.DECISION,
        "To agree the minutes of the last meeting as a true record.",
    ),
    StandardItem(
        "Matters arising and the action log",
        AgendaPurpose.DISCUSSION,
        "Progress on the actions agreed at earlier meetings.",
    ),
)


def _deleter(paper: Paper) -> Callable[[], None]:
    """Delete a paper's stored file (called once the removal has committed)."""
    storage, name = paper.file.storage, paper.file.name

    def delete() -> None:
        if name:
            storage.delete(name)

    return delete


def _require_open_agenda(meeting: Meeting) -> None:
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise ValidationError(
            "This meeting's minutes are approved, so its agenda is part of the record and cannot change."
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("This meeting was cancelled, so its agenda cannot change.")


def _minutes_summary(meeting: Meeting) -> str:
    previous = (
        Meeting.objects.filter(committee=meeting.committee, date__lt=meeting.date)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-date")
        .first()
    )
    if previous is None:
        return "To agree the minutes of the last meeting as a true record."
    return f"To agree the minutes of the meeting of {previous.date:%-d %B %Y} as a true record."


def add_standard_agenda(*, meeting: Meeting, by: User) -> list[AgendaItem]:
    """Put the standard opening items at the top of the agenda, before any items already there.

    Items whose title is already on the agenda are not added twice; if every one is there, this
    is refused with a message saying so.
    """
    require_editor(by, meeting.committee, EventType.AGENDA_ITEM_CREATE, meeting)
    _require_open_agenda(meeting)
    present = {title.casefold() for title in meeting.agenda_items.values_list("title", flat=True)}
    missing = [item for item in STANDARD_AGENDA if item.title.casefold() not in present]
    if not missing:
        raise ValidationError("The agenda already has the standard items.")
    added: list[AgendaItem] = []
    with transaction.atomic():
        # Make room at the top. Highest number first, so no two items ever share a number.
        for item in meeting.agenda_items.order_by("-number"):
            item.number += len(missing)
            item.save(update_fields=["number"])
        for number, standard in enumerate(missing, start=1):
            summary = _minutes_summary(meeting) if standard.title.startswith("Minutes") else standard.summary
            item = AgendaItem.objects.create(
                meeting=meeting,
                number=number,
                title=standard.title,
                purpose=standard.purpose,
                summary=summary,
            )
            added.append(item)
            record(
                action=EventType.AGENDA_ITEM_CREATE,
                actor=by,
                target=item,
                detail={"meeting": meeting.pk, "title": item.title, "standard": True},
            )
    return added


def update_agenda_item(
    *, agenda_item: AgendaItem, by: User, title: str, purpose: str, presenter: str = "", summary: str = ""
) -> AgendaItem:
    """Change an item's title, purpose, presenter or summary (its place is changed by moving it)."""
    meeting = agenda_item.meeting
    require_editor(by, meeting.committee, EventType.AGENDA_ITEM_UPDATE, agenda_item)
    _require_open_agenda(meeting)
    before = {"title": agenda_item.title, "purpose": agenda_item.purpose}
    agenda_item.title = title
    agenda_item.purpose = purpose
    agenda_item.presenter = presenter
    agenda_item.summary = summary
    agenda_item.full_clean()
    with transaction.atomic():
        agenda_item.save(update_fields=["title", "purpose", "presenter", "summary"])
        record(
            action=EventType.AGENDA_ITEM_UPDATE,
            actor=by,
            target=agenda_item,
            detail={"meeting": meeting.pk, "before": before, "title": title, "purpose": purpose},
        )
    return agenda_item


def move_agenda_item(*, agenda_item: AgendaItem, direction: Literal["up", "down"], by: User) -> AgendaItem:
    """Swap an item with the one above (`up`) or below (`down`) it."""
    meeting = agenda_item.meeting
    require_editor(by, meeting.committee, EventType.AGENDA_ITEM_MOVE, agenda_item)
    _require_open_agenda(meeting)
    if direction not in ("up", "down"):
        raise ValidationError(f"Direction {direction!r}: expected up or down.")
    siblings = meeting.agenda_items.exclude(pk=agenda_item.pk)
    if direction == "up":
        neighbour = siblings.filter(number__lt=agenda_item.number).order_by("-number").first()
    else:
        neighbour = siblings.filter(number__gt=agenda_item.number).order_by("number").first()
    if neighbour is None:
        where = "first" if direction == "up" else "last"
        raise ValidationError(f"“{agenda_item.title}” is already {where} on the agenda.")
    mine, theirs = agenda_item.number, neighbour.number
    with transaction.atomic():
        # Through 0 (never a real number: items count from 1), so the unique number is never shared.
        agenda_item.number = 0
        agenda_item.save(update_fields=["number"])
        neighbour.number = mine
        neighbour.save(update_fields=["number"])
        agenda_item.number = theirs
        agenda_item.save(update_fields=["number"])
        record(
            action=EventType.AGENDA_ITEM_MOVE,
            actor=by,
            target=agenda_item,
            detail={"meeting": meeting.pk, "from": mine, "to": theirs},
        )
    return agenda_item


def remove_agenda_item(*, agenda_item: AgendaItem, by: User) -> None:
    """Take an item (and its papers) off the agenda; the items after it move up one place.

    An item a decision was recorded against stays: the decision would lose what it decided on.
    """
    meeting = agenda_item.meeting
    require_editor(by, meeting.committee, EventType.AGENDA_ITEM_REMOVE, agenda_item)
    _require_open_agenda(meeting)
    if agenda_item.decisions.exists():
        raise ValidationError(
            f"A decision was recorded against “{agenda_item.title}”, so it stays on the agenda."
        )
    papers = list(agenda_item.papers.all())
    number = agenda_item.number
    with transaction.atomic():
        record(
            action=EventType.AGENDA_ITEM_REMOVE,
            actor=by,
            target=agenda_item,
            detail={
                "meeting": meeting.pk,
                "number": number,
                "title": agenda_item.title,
                "papers": [{"title": p.title, "sha256": p.sha256} for p in papers],
            },
        )
        agenda_item.delete()
        # Lowest number first, so no two items ever share a number.
        for item in meeting.agenda_items.filter(number__gt=number).order_by("number"):
            item.number = F("number") - 1
            item.save(update_fields=["number"])
        # The files go only once the rows are gone for good.
        for paper in papers:
            transaction.on_commit(_deleter(paper))
