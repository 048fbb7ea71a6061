"""Evidence files attached to a report: kept whole with their SHA-256, never replaced.

A file arrives as a stream (the API's spooled upload) and is read twice, a chunk at a time:
once to measure, hash and check it before anything is written, then into 1 MiB chunk rows.
A download reads the chunks back one by one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from spkt.access import Actor, require_desk
from spkt.casework import log_both
from spkt.models import Attachment, AttachmentChunk, Report

MEDIA_TYPES = {"image/jpeg", "image/png", "application/pdf", "image/webp"}
CHUNK_BYTES = 1 << 20
_MAGIC = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF",
    "image/webp": b"RIFF",
}


def size_label(max_bytes: int) -> str:
    """A limit as a user reads it: 20 MB, 950 kB."""
    if max_bytes >= 1_000_000:
        return f"{max_bytes / 1_000_000:g} MB"
    return f"{max_bytes // 1000} kB"


def _measure(stream: BinaryIO, max_bytes: int) -> tuple[int, str, bytes]:
    """(size, SHA-256, first bytes) reading at most max_bytes + 1 bytes."""
    digest, size, head = hashlib.sha256(), 0, b""
    while size <= max_bytes:
        chunk = stream.read(min(CHUNK_BYTES, max_bytes + 1 - size))
        if not chunk:
            break
        head = head or chunk[:16]
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest(), head


def _check_file(stream: BinaryIO, media_type: str, max_bytes: int) -> tuple[int, str]:
    """Size and SHA-256 of an acceptable file; InvalidInput naming `file` otherwise."""
    if media_type not in MEDIA_TYPES:
        raise InvalidInput(
            f"jenis berkas {media_type} tidak diterima (JPEG, PNG, WebP, PDF)", field="file"
        )
    size, sha256, head = _measure(stream, max_bytes)
    if size == 0:
        raise InvalidInput("berkas kosong", field="file")
    if size > max_bytes:
        raise InvalidInput(f"berkas lebih dari {size_label(max_bytes)}", field="file")
    if not head.startswith(_MAGIC[media_type]):
        raise InvalidInput(f"isi berkas bukan {media_type}", field="file")
    return size, sha256


def add_attachment(
    session: Session,
    *,
    report: Report,
    actor: Actor,
    filename: str,
    media_type: str,
    stream: BinaryIO,
    max_bytes: int,
    description: str = "",
) -> Attachment:
    """Attach one file (photo, scan, PDF) to a report; its content must match its type."""
    require_desk(actor)
    size, sha256 = _check_file(stream, media_type, max_bytes)
    name = (filename or "berkas").replace("\x00", "")[-200:]
    row = Attachment(
        report_id=report.id, filename=name, media_type=media_type, size_bytes=size,
        sha256=sha256, description=description[:500], uploaded_by=actor.username,
    )  # fmt: skip
    session.add(row)
    session.flush()
    stream.seek(0)
    for seq, chunk in enumerate(iter(lambda: stream.read(CHUNK_BYTES), b"")):
        session.execute(insert(AttachmentChunk).values(attachment_id=row.id, seq=seq, data=chunk))
    log_both(session, report, actor, "bukti", f"Bukti dilampirkan: {name}",
             detail={"attachment_id": row.id, "sha256": row.sha256})  # fmt: skip
    return row


def get_attachment(session: Session, *, attachment_id: int) -> Attachment:
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"lampiran {attachment_id} tidak ditemukan", field="attachment_id")
    return row


def attachment_chunks(session: Session, *, attachment_id: int) -> Iterator[bytes]:
    """The file's bytes, one stored chunk at a time."""
    seqs = session.scalars(
        select(AttachmentChunk.seq)
        .where(AttachmentChunk.attachment_id == attachment_id)
        .order_by(AttachmentChunk.seq)
    ).all()
    for seq in seqs:
        yield session.scalar(
            select(AttachmentChunk.data).where(
                AttachmentChunk.attachment_id == attachment_id, AttachmentChunk.seq == seq
            )
        )
