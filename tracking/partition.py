"""Partitions of the ingest: worker i of N stores the units whose call sign hashes to i."""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Partition:
    """Worker `index` of `count` stores the units whose call sign hashes to it."""

    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text_value: str) -> Partition:
        """'i/N' (0 <= i < N)."""
        index, _, count = text_value.partition("/")
        partition = cls(int(index), int(count or 1))
        if not 0 <= partition.index < partition.count:
            raise ValueError(f"partition {text_value!r}: expected i/N with 0 <= i < N")
        return partition

    def owns(self, call_sign: str) -> bool:
        """CRC-32 of the call sign: stable across processes and restarts (unlike hash())."""
        return self.count == 1 or zlib.crc32(call_sign.encode()) % self.count == self.index

    def owns_topic(self, topic: str, root: str, owntracks_root: str = "owntracks") -> bool:
        """Whether this partition stores a message on `topic` (by its call sign level)."""
        return self.owns(topic_call_sign(topic, root, owntracks_root) or topic)


def topic_call_sign(topic: str, root: str, owntracks_root: str = "owntracks") -> str:
    """The call sign of {root}/units/<call sign>/... or {owntracks_root}/unit-<call sign>/...
    ('' if the topic is neither): every message of one unit goes to one partition."""
    if topic.startswith(f"{root}/units/"):
        return topic[len(root) + 7 :].split("/", 1)[0]
    if topic.startswith(f"{owntracks_root}/unit-"):
        return topic[len(owntracks_root) + 6 :].split("/", 1)[0]
    return ""
