"""The quarterly committee report as an accessible, tagged PDF (PDF/UA-1), from the same HTML.

ReportLab (used for agenda packs) writes no structure tree, so its PDFs are not tagged: a screen
reader gets no headings, tables or reading order. WeasyPrint lays out HTML and CSS and, with the
`pdf/ua-1` variant, tags the PDF from the HTML's own structure (headings, paragraphs, tables with
header cells, figures with their text alternatives), sets the document language and title, and marks
the document as tagged (docs/adr/0065-spc-port-and-tagged-pdf.md).
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import CSS, HTML

# The print layout, kept out of the template: the site's content security policy allows no inline style.
STYLESHEET = Path(__file__).resolve().parent / "static" / "evaluation" / "report.css"


def report_pdf(html: str, *, base_url: str) -> bytes:
    """The report's HTML as a tagged PDF (no network: it carries no external resource)."""
    document = HTML(string=html, base_url=base_url, url_fetcher=_no_fetch)
    pdf: bytes = document.write_pdf(
        stylesheets=[CSS(string=STYLESHEET.read_text(encoding="utf-8"))], pdf_variant="pdf/ua-1"
    )
    return pdf


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    # Everything the report shows is inline (SVG charts, styles): nothing may be fetched.
    raise ValueError(f"the report fetches nothing ({url})")
