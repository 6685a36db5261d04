"""PDFs made by the tests, so the corpus explains itself: hand-written documents whose every object is in view
(a page of vector shapes, an encrypted one, one with no pages), and Pillow's own PDF writer for a photo."""

from __future__ import annotations

import io

from PIL import Image


def pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of ``objects`` (numbered from 1; object 1 is the catalogue) with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def page_pdf(width: float = 612, height: float = 792, rotate: int = 0, pages: int = 1) -> bytes:
    """``pages`` pages of ``width`` x ``height`` points: white, a red square in the top-left corner (so orientation
    can be checked), a black bar across the middle."""
    content = b"1 0 0 rg 0 %g %g %g re f 0 0 0 rg 0 %g %g %g re f" % (
        height * 3 / 4, width / 4, height / 4, height * 0.45, width, height * 0.1,
    )  # fmt: skip
    kids = b" ".join(b"%d 0 R" % (4 + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Rotate %d /Contents 3 0 R >>"
            % (width, height, rotate)
        )
    return pdf(objects)


def empty_pdf() -> bytes:
    """A valid document with no pages."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def encrypted_pdf() -> bytes:
    """A page behind the standard security handler with a user password (its /U entry matches no empty password),
    so no reader opens it without the password."""
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <%s> /U <%s> >>" % (b"11" * 32, b"22" * 32)
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Length 0 >>\nstream\n\nendstream",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>",
            encrypt,
        ],
        trailer=b"/Encrypt 5 0 R /ID [<%s> <%s>] " % (b"ab" * 16, b"ab" * 16),
    )


def photo_pdf(im: Image.Image, resolution: float = 72.0) -> bytes:
    """A one-page PDF holding ``im``, written by Pillow (as a scanner or a "print to PDF" would)."""
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "PDF", resolution=resolution)
    return buf.getvalue()
