"""The agenda pack and the minutes of a meeting as PDF, drawn with ReportLab (pure Python).

Text is set in Bitstream Vera, the TrueType font ReportLab ships, so names and punctuation outside
Latin-1 (en dashes, curly quotes, Irish fadas) print as written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from icp.governance.models import Meeting

_FONT, _BOLD = "IcpVera", "IcpVeraBold"


def _register_fonts() -> None:
    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    fonts = resources.files("reportlab").joinpath("fonts")
    pdfmetrics.registerFont(TTFont(_FONT, str(fonts.joinpath("Vera.ttf"))))
    pdfmetrics.registerFont(TTFont(_BOLD, str(fonts.joinpath("VeraBd.ttf"))))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=_BOLD, fontSize=16, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=_BOLD, fontSize=12, spaceBefore=10),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=_FONT, fontSize=9.5, leading=13),
        "meta": ParagraphStyle(
            "meta", parent=base["BodyText"], fontName=_FONT, fontSize=9, textColor=colors.grey
        ),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=_FONT, fontSize=8.5, leading=11),
        "warn": ParagraphStyle(
            "warn", parent=base["BodyText"], fontName=_BOLD, fontSize=9.5, textColor=colors.red
        ),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(
    header: list[str],
    rows: Sequence[Sequence[object]],
    widths: list[float],
    styles: dict[str, ParagraphStyle],
) -> Table:
    cell = styles["cell"]
    head = ParagraphStyle("head", parent=cell, fontName=_BOLD)
    data = [[_p(h, head) for h in header]] + [[_p(v, cell) for v in row] for row in rows]
    if not rows:
        data.append([_p("None recorded.", cell)] + [""] * (len(header) - 1))
    table = Table(data, colWidths=[w * cm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _heading(meeting: Meeting, what: str, styles: dict[str, ParagraphStyle]) -> list[Any]:
    when = f"{meeting.date:%A %d %B %Y}" + (f" at {meeting.start_time:%H:%M}" if meeting.start_time else "")
    where = meeting.get_mode_display() + (f", {meeting.location}" if meeting.location else "")
    lines = [
        _p(f"{what}: {meeting.title}", styles["title"]),
        _p(f"{meeting.committee.name} · {when} · {where}", styles["meta"]),
    ]
    if meeting.video_link:
        lines.append(_p(f"Video link: {meeting.video_link}", styles["meta"]))
    return [*lines, Spacer(1, 0.3 * cm)]


def _build(story: list[Any], title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
    )
    document.build(story)
    return buffer.getvalue()


def agenda_pack_pdf(meeting: Meeting) -> bytes:
    _register_fonts()
    styles = _styles()
    story = _heading(meeting, "Agenda", styles)
    rows: list[list[object]] = []
    for item in meeting.agenda_items.prefetch_related("papers"):
        papers = "\n".join(p.title for p in item.papers.all()) or "—"
        title = item.title + (f"\n{item.summary}" if item.summary else "")
        rows.append([item.number, title, item.get_purpose_display(), item.presenter, papers])
    story.append(
        _table(["Item", "Title", "Purpose", "Presenter", "Papers"], rows, [1.2, 6.5, 2.6, 3, 3.7], styles)
    )
    story.append(Spacer(1, 0.4 * cm))
    story.append(_p("Papers are held in icp and open only to the committee's members.", styles["meta"]))
    return _build(story, f"Agenda {meeting.date:%Y-%m-%d}")


def minutes_pdf(meeting: Meeting) -> bytes:
    _register_fonts()
    styles = _styles()
    story = _heading(meeting, "Minutes", styles)
    status = meeting.get_minutes_status_display()
    if meeting.minutes_approved_on:
        status += f" on {meeting.minutes_approved_on:%d %B %Y}"
    story.append(_p(f"Minutes: {status}", styles["meta"]))
    if meeting.quorate is not None:
        note = meeting.quorum_note + (
            "" if meeting.quorate else ". Decisions need ratifying at a quorate meeting."
        )
        story.append(_p(note, styles["body"] if meeting.quorate else styles["warn"]))
    story.append(_p("Attendance", styles["h2"]))
    attendance = [
        [
            a.person.name,
            a.get_status_display() + (f" (deputy for {a.deputy_for.name})" if a.deputy_for else ""),
        ]
        for a in meeting.attendance.select_related("person", "deputy_for")
    ]
    story.append(_table(["Name", "Attendance"], attendance, [8, 9], styles))
    story.append(_p("Minutes", styles["h2"]))
    story.append(_p(meeting.minutes or "Not written yet.", styles["body"]))
    story.append(_p("Decisions", styles["h2"]))
    decisions = [
        [d.text, d.proposed_by.name if d.proposed_by else "—", d.get_outcome_display()]
        for d in meeting.decisions.select_related("proposed_by")
    ]
    story.append(_table(["Decision", "Proposed by", "Outcome"], decisions, [10, 4, 3], styles))
    story.append(_p("Actions", styles["h2"]))
    actions = [
        [a.description, a.owner.name, f"{a.due_date:%d %b %Y}", a.get_status_display()]
        for a in meeting.action_items.select_related("owner")
    ]
    story.append(_table(["Action", "Owner", "Due", "Status"], actions, [8.5, 3.5, 2.5, 2.5], styles))
    return _build(story, f"Minutes {meeting.date:%Y-%m-%d}")
