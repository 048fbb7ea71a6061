"""Pydantic shapes of the SPKT API (separate from the rows)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from dispatch.taxonomy import CATEGORIES
from spkt.taxonomy import CASE_STAGES, LOST_ITEMS, RECOMMENDATIONS


def _one_of(value: str, allowed: dict[str, str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} tidak dikenal: {value!r}; pilihan: {', '.join(allowed)}")
    return value


class Reporter(BaseModel):
    """The reporter's identity (personal data: NIK, birth date, address)."""

    kind: Literal["masyarakat", "polri"] = "masyarakat"
    name: str = Field(min_length=1, max_length=200)
    nik: str = Field(pattern=r"^[0-9]{16}$", description="NIK: 16 angka")
    birth_place: str = Field("", max_length=100)
    birth_date: date
    address: str = Field(min_length=1, max_length=500)
    phone: str = Field(min_length=3, max_length=32)
    occupation: str = Field("", max_length=100)
    nrp: str | None = Field(None, pattern=r"^[0-9]{8,18}$", description="NRP anggota Polri")

    @field_validator("birth_date")
    @classmethod
    def _birth_date(cls, value: date) -> date:
        if value > date.today() or value.year < 1900:
            raise ValueError("tanggal lahir tidak masuk akal")
        return value


class Witness(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field("", max_length=32)
    address: str = Field("", max_length=500)
    statement: str = Field("", max_length=2000)


class LostItem(BaseModel):
    item: str
    number: str = Field("", max_length=100, description="nomor dokumen/kartu, bila ada")
    note: str = Field("", max_length=500)

    @field_validator("item")
    @classmethod
    def _item(cls, value: str) -> str:
        return _one_of(value, LOST_ITEMS, "barang hilang")


class ReportCreate(BaseModel):
    """A report at the desk; with incident_id when it comes from a 110 incident."""

    kind: Literal["pidana", "kehilangan", "pengaduan"]
    incident_id: int | None = None
    reporter: Reporter
    category: str | None = None
    what: str = Field("", max_length=4000, description="apa yang terjadi")
    occurred_at: datetime | None = Field(None, description="kapan (default: waktu kejadian 110)")
    place: str = Field("", max_length=500, description="di mana (alamat)")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    involved: str = Field("", max_length=2000, description="siapa: terlapor, korban")
    witnesses: list[Witness] = Field(default_factory=list, max_length=20)
    lost_items: list[LostItem] = Field(default_factory=list, max_length=20)
    jurisdiction_id: int | None = Field(None, description="meja SPKT penerima (admin saja)")

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        return None if value is None else _one_of(value, CATEGORIES, "kategori")


class Signer(BaseModel):
    """The officer who signs a document."""

    name: str = Field(min_length=1, max_length=200)
    rank: str = Field(min_length=1, max_length=60, description="pangkat")
    nrp: str = Field(pattern=r"^[0-9]{8,18}$")
    position: str = Field("Ka SPKT", max_length=120, description="jabatan")


class ConsultationRequest(BaseModel):
    note: str = Field("", max_length=2000)
    investigator_username: str | None = Field(None, max_length=64)


class AssessmentCreate(BaseModel):
    is_crime: bool
    articles: str = Field("", max_length=500, description="pasal yang dipersangkakan")
    recommendation: str
    note: str = Field("", max_length=2000)

    @field_validator("recommendation")
    @classmethod
    def _recommendation(cls, value: str) -> str:
        return _one_of(value, RECOMMENDATIONS, "rekomendasi")


class LaporanPolisiCreate(BaseModel):
    model: Literal["A", "B"]
    signer: Signer
    articles: str | None = Field(None, max_length=500)


class LostItemLetterCreate(BaseModel):
    signer: Signer


class VisumCreate(BaseModel):
    signer: Signer
    hospital: str = Field(min_length=3, max_length=200, description="rumah sakit tujuan")
    victim_name: str = Field(min_length=1, max_length=200)
    victim_birth_date: date | None = None
    victim_address: str = Field("", max_length=500)
    injuries: str = Field(min_length=1, max_length=2000, description="luka yang tampak")


class CorrectionCreate(BaseModel):
    signer: Signer
    reason: str = Field(min_length=3, max_length=1000)
    changes: dict[str, str] = Field(default_factory=dict, description="isian yang dibetulkan")


class CloseReportRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


class ProgressCreate(BaseModel):
    """An SP2HP: the notice of investigation progress the reporter can read."""

    stage: str
    notice: str = Field(min_length=3, max_length=2000, description="isi SP2HP untuk pelapor")

    @field_validator("stage")
    @classmethod
    def _stage(cls, value: str) -> str:
        return _one_of(value, CASE_STAGES, "tahap")


class ProgressQuery(BaseModel):
    """The public SP2HP lookup: LP number plus the reporter's name and date of birth."""

    lp_number: str = Field(min_length=5, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    birth_date: date


class OfficialSet(BaseModel):
    jurisdiction_id: int
    position: Literal[
        "kapolda", "kapolres", "kapolsek", "ka_spkt", "ka_siaga_1", "ka_siaga_2", "ka_siaga_3"
    ]
    name: str = Field(min_length=1, max_length=200)
    rank: str = Field("", max_length=60)
    nrp: str = Field("", max_length=18)
