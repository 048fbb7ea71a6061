"""Evidence files: phone photos of several MB are stored in chunks and come back whole; a file
over the limit gets a 413 naming the field, with or without a Content-Length; never a 500."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from spkt.evidence import CHUNK_BYTES, add_attachment, attachment_chunks
from spkt.models import AttachmentChunk
from spkt.reports import receive_report
from tests.spkt.factories import desk, report_body, report_data

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF"


def _photo(size: int) -> bytes:
    """A JPEG-headed file of `size` bytes that does not compress (like a real photo)."""
    return (JPEG + os.urandom(size))[:size]


def test_a_five_mb_phone_photo_is_stored_in_chunks_and_comes_back_whole(
    user_client, db_session: Session, tree
) -> None:  # noqa: ANN001
    desk_client = user_client("spkt", jurisdiction_id=tree.polres.id)
    rid = desk_client.post("/api/spkt/reports", json=report_body()).json()["id"]
    photo = _photo(5_200_000)
    sent = desk_client.post(
        f"/api/spkt/reports/{rid}/attachments",
        files={"file": ("IMG_20261203_0815.jpg", photo, "image/jpeg")},
        data={"description": "Foto TKP dari ponsel"},
    )
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["size"] == len(photo) and body["sha256"] == hashlib.sha256(photo).hexdigest()
    chunks = db_session.scalar(
        select(func.count()).where(AttachmentChunk.attachment_id == body["id"])
    )
    assert chunks == -(-len(photo) // CHUNK_BYTES)  # 5 chunks of 1 MiB at most
    got = desk_client.get(f"/api/spkt/attachments/{body['id']}")
    assert got.status_code == 200 and got.content == photo
    assert got.headers["x-content-sha256"] == body["sha256"]


def test_a_file_over_the_limit_is_refused_naming_the_field(user_client, tree) -> None:  # noqa: ANN001
    desk_client = user_client("spkt", jurisdiction_id=tree.polres.id)
    rid = desk_client.post("/api/spkt/reports", json=report_body()).json()["id"]
    too_big = _photo(20_100_000)  # the default limit is 20 MB
    sent = desk_client.post(
        f"/api/spkt/reports/{rid}/attachments",
        files={"file": ("video.jpg", too_big, "image/jpeg")},
    )
    assert sent.status_code == 413, sent.text
    assert sent.json() == {"error": "too_large", "message": "berkas lebih dari 20 MB",
                           "field": "file"}  # fmt: skip
    detail = desk_client.get(f"/api/spkt/reports/{rid}").json()
    assert detail["attachments"] == []


def test_a_streamed_upload_without_a_length_is_cut_off_at_the_limit(user_client, tree) -> None:  # noqa: ANN001
    desk_client = user_client("spkt", jurisdiction_id=tree.polres.id)
    rid = desk_client.post("/api/spkt/reports", json=report_body()).json()["id"]
    boundary = "siaga-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    sent_bytes = {"n": 0}

    def body():  # noqa: ANN202  (chunked: no Content-Length)
        yield head + JPEG
        for _ in range(30):  # 30 MB, never all needed
            sent_bytes["n"] += 1_000_000
            yield os.urandom(1_000_000)
        yield f"\r\n--{boundary}--\r\n".encode()

    sent = desk_client.post(
        f"/api/spkt/reports/{rid}/attachments",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert sent.status_code == 413, sent.text
    assert sent.json()["field"] == "file"


def test_the_service_checks_the_limit_itself(db_session: Session, tree) -> None:  # noqa: ANN001
    officer = desk(db_session, tree.polres)
    report = receive_report(db_session, data=report_data(), actor=officer)
    common = {"report": report, "actor": officer, "media_type": "image/jpeg", "max_bytes": 2000}
    with pytest.raises(InvalidInput) as refused:
        add_attachment(db_session, filename="a.jpg", stream=io.BytesIO(_photo(3000)), **common)
    assert refused.value.field == "file" and "2 kB" in refused.value.message
    row = add_attachment(db_session, filename="b.jpg", stream=io.BytesIO(_photo(2000)), **common)
    assert b"".join(attachment_chunks(db_session, attachment_id=row.id))[:4] == JPEG[:4]
