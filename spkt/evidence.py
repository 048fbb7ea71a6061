"""Evidence files attached to a report: kept whole with their SHA-256, never replaced."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from spkt.access import Actor, require_desk
from spkt.casework import log_both
from spkt.models import Attachment, Report

MEDIA_TYPES = {"image/jpeg", "image/png", "application/pdf", "image/webp"}
# The API refuses bodies over 1 MB (api/deps.py); a file is a little less than that.
MAX_FILE_BYTES = 950_000
_MAGIC = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF",
    "image/webp": b"RIFF",
}


def add_attachment(
    session: Session,
    *,
    report: Report,
    actor: Actor,
    filename: str,
    media_type: str,
    data: bytes,
    description: str = "",
) -> Attachment:
    """Attach one file (photo, scan, PDF) to a report; its content must match its type."""
    require_desk(actor)
    if media_type not in MEDIA_TYPES:
        raise InvalidInput(
            f"jenis berkas {media_type} tidak diterima (JPEG, PNG, WebP, PDF)", field="file"
        )
    if not data:
        raise InvalidInput("berkas kosong", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"berkas lebih dari {MAX_FILE_BYTES // 1000} kB", field="file")
    if not data.startswith(_MAGIC[media_type]):
        raise InvalidInput(f"isi berkas bukan {media_type}", field="file")
    name = (filename or "berkas").replace("\x00", "")[-200:]
    row = Attachment(
        report_id=report.id,
        filename=name,
        media_type=media_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        description=description[:500],
        uploaded_by=actor.username,
    )
    session.add(row)
    session.flush()
    log_both(session, report, actor, "bukti", f"Bukti dilampirkan: {name}",
             detail={"attachment_id": row.id, "sha256": row.sha256})  # fmt: skip
    return row


def get_attachment(session: Session, *, attachment_id: int) -> Attachment:
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"lampiran {attachment_id} tidak ditemukan", field="attachment_id")
    return row
