"""Pydantic shapes of the piket API (separate from the rows)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from piket.functions import FUNCTIONS

ManualKind = Literal["visitor", "equipment", "order", "note"]


class MemberIn(BaseModel):
    """An officer on the shift: a user of the platform (username) or a name."""

    username: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    rank: str = Field("", max_length=60)
    nrp: str = Field("", max_length=30)


class CheckIn(BaseModel):
    """One item of the SOP preparation list: present and in order, or what is missing."""

    code: str = Field(min_length=1, max_length=120)
    ok: bool
    note: str = Field("", max_length=1000)


class ShiftOpen(BaseModel):
    center_id: int
    perwira_username: str | None = Field(None, max_length=64)
    perwira_rank: str = Field("", max_length=60)
    members: list[MemberIn] = Field(min_length=1, max_length=12)
    checks: list[CheckIn] = Field(default_factory=list, max_length=100)
    planned_hours: int | None = Field(None, ge=1, le=24)


class HandoverIn(BaseModel):
    note: str = Field("", max_length=4000)


class JournalIn(BaseModel):
    kind: ManualKind
    message: str = Field(min_length=1, max_length=4000)
    incident_id: int | None = None


class OrderIn(BaseModel):
    instruction: str = Field(min_length=1, max_length=2000)
    assignee: str = Field(min_length=1, max_length=200)
    due_at: datetime | None = None


class OrderActionIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class OrderDoneIn(BaseModel):
    result: str = Field(min_length=1, max_length=2000)
    status: Literal["done", "cancelled"] = "done"


class ForwardIn(BaseModel):
    functions: list[str] = Field(min_length=1, max_length=11)
    note: str = Field("", max_length=2000)

    @field_validator("functions")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in FUNCTIONS]
        if unknown:
            raise ValueError(
                f"fungsi tidak dikenal: {', '.join(unknown)}; pilihan: {', '.join(FUNCTIONS)}"
            )
        return list(dict.fromkeys(value))


class ForwardResultIn(BaseModel):
    result: str = Field(min_length=1, max_length=4000)


class ReportSignIn(BaseModel):
    report_date: date
    center_id: int
