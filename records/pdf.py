"""The certificate as an A4 PDF, drawn by reportlab.

Chinese is set in reportlab's built-in CID font ``STSong-Light`` (Adobe's standard Song face that
every PDF reader carries): no font file ships, nothing is downloaded. The QR code of the
verification URL is reportlab's own widget. Labels follow the active language (Chinese by
default, English when the reader asks for it); names and places print as recorded.
"""

import io
from collections.abc import Callable

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from records.lines import beneficiary_label, category_label

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=1, spaceAfter=4 * mm)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=8.5, leading=11)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5)
SEAL = ParagraphStyle("seal", fontName=FONT, fontSize=10, leading=12, alignment=1, textColor=colors.lightgrey)


def _esc(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _certificate_story(cert, verify_url: str) -> list:
    d = lambda value: formats.date_format(value, "Y-m-d")  # noqa: E731
    story = [Paragraph(_esc(_("Certificate of volunteer service")), TITLE)]
    intro = _(
        "This is to certify that %(name)s (volunteer number %(number)s) took part in volunteer service "
        "recorded by %(issuer)s from %(start)s to %(end)s: %(services)s services, %(hours)s hours of service recorded."
    ) % {
        "name": cert.volunteer_name,
        "number": cert.volunteer_no,
        "issuer": cert.issuer_name,
        "start": d(cert.period_start),
        "end": d(cert.period_end),
        "services": cert.services,
        "hours": cert.hours,
    }
    story += [Paragraph(_esc(intro), BODY), Spacer(1, 3 * mm)]
    facts = [  # "~" between the dates: STSong-Light has no en dash (it printed as a box)
        [_("Volunteer"), cert.volunteer_name, _("Volunteer number"), cert.volunteer_no],
        [_("Issuer"), cert.issuer_name, _("Period"), f"{d(cert.period_start)} ~ {d(cert.period_end)}"],
        [_("Services"), str(cert.services), _("Hours recorded"), str(cert.hours)],
        [_("Honour hours (not service hours)"), str(cert.honour_hours), _("Date of issue"), d(timezone.localtime(cert.issued_at))],
    ]
    facts_table = Table([[Paragraph(_esc(v), CELL) for v in r] for r in facts], colWidths=[34 * mm, 51 * mm, 34 * mm, 51 * mm])
    facts_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                                     ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [facts_table, Spacer(1, 4 * mm)]
    header = [_("Date"), _("Service"), _("Place"), _("Category"), _("Beneficiary"), _("Hours"), _("Honour hours")]
    rows = [[Paragraph(_esc(h), CELL) for h in header]]
    for line in cert.lines:
        cells = [line["date"], line["title"], line["place"], category_label(line["category"]), beneficiary_label(line["beneficiary_type"]), line["hours"], line["honour_hours"]]
        rows.append([Paragraph(_esc(c), CELL) for c in cells])
    lines_table = Table(rows, colWidths=[20 * mm, 46 * mm, 36 * mm, 20 * mm, 22 * mm, 13 * mm, 13 * mm], repeatRows=1)
    lines_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                                     ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(lines_table)
    more = cert.services - len(cert.lines)
    if more > 0:
        story.append(Paragraph(_esc(_("… and %(n)s earlier services, counted in the totals above.") % {"n": more}), SMALL))
    note = _(
        "Issued free of charge under the Measures for Volunteer Service Records and Certificates (Ministry of Civil Affairs "
        "Order No. 67) by the community that recorded the services. Training and honours are not recorded on this platform. "
        "Verify this certificate at the address below or by its QR code."
    )
    # The note says "the address below": the code and the address follow it, beside the QR code.
    verify = [
        [_qr(verify_url, 30 * mm), Paragraph(_esc(note) + "<br/><br/>" + _esc(f"{_('Verification code')}{colon()}{cert.code_display}") + "<br/>" + _esc(verify_url), SMALL)],
    ]
    verify_table = Table(verify, colWidths=[34 * mm, 136 * mm])
    verify_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [Spacer(1, 5 * mm), KeepTogether([verify_table, Spacer(1, 4 * mm), _signature(cert, d(timezone.localtime(cert.issued_at)))])]
    return story


def colon() -> str:
    """Chinese text takes the full-width colon; STSong-Light has it (it lacks the middle dot)."""
    return ": " if (get_language() or "").startswith("en") else "："


def _signature(cert, issued_on: str) -> Table:
    """Issuer and date at the bottom right, above an empty square kept free for the community's
    official seal (印章), its place marked in light grey."""
    rows = [
        [Paragraph(_esc(_("Seal here")), SEAL)],
        [Paragraph(_esc(f"{_('Issued by (seal)')}{colon()}{cert.issuer_name}"), BODY)],
        [Paragraph(_esc(f"{_('Date of issue')}{colon()}{issued_on}"), BODY)],
    ]
    table = Table(rows, colWidths=[80 * mm], rowHeights=[40 * mm, None, None], hAlign="RIGHT")
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (0, 0), 0.6, colors.lightgrey), ("VALIGN", (0, 0), (0, 0), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def render_certificates(certificates, verify_url: Callable[[str], str]) -> bytes:
    """One PDF holding each certificate from a new page (one per issuing community)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=16 * mm,
        title=_("Certificate of volunteer service"), author=", ".join(c.issuer_name for c in certificates), lang="en" if (get_language() or "").startswith("en") else "zh-CN",
    )
    story = []
    for i, cert in enumerate(certificates):
        if i:
            story.append(PageBreak())
        story += _certificate_story(cert, verify_url(cert.code))
    doc.build(story)
    return buffer.getvalue()
