"""The job notice an OwnTracks app receives: the iOS `action` command, plain or sealed."""

from __future__ import annotations

import json

from tracking.decode import decode_owntracks, open_sealed, owntracks_key
from tracking.jobs import owntracks_cmd_topic, owntracks_job_cmd, seal_owntracks


def test_the_notice_links_the_crew_page_or_names_it():
    linked = json.loads(owntracks_job_cmd("Tugas #7", crew_page_url="https://x.example/unit"))
    assert linked == {"_type": "cmd", "action": "action", "notification": "Tugas #7",
                      "url": "https://x.example/unit", "extern": True}  # fmt: skip
    named = json.loads(owntracks_job_cmd("Tugas #7"))
    assert "url" not in named and "halaman unit" in named["content"]


def test_a_sealed_notice_opens_with_the_key_the_apps_derive():
    plain = owntracks_job_cmd("Tugas #7")
    assert seal_owntracks(plain, None) == plain
    sealed = json.loads(seal_owntracks(plain, "kunci"))
    assert set(sealed) == {"_type", "data"} and sealed["_type"] == "encrypted"
    # The same secretbox the ingest opens the apps' messages with: a cmd is an understood type.
    opened = open_sealed("P1", sealed["data"], owntracks_key("kunci"))
    assert opened.kind == "ignored" and opened.note == "owntracks_cmd"
    assert decode_owntracks("P1", plain).note == "owntracks_cmd"


def test_the_cmd_topic_is_the_app_s_own():
    assert owntracks_cmd_topic("owntracks", "P-01", "hp") == "owntracks/unit-P-01/hp/cmd"
