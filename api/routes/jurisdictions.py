"""Routes for jurisdictions (filled in by the jurisdictions issue)."""

from fastapi import APIRouter

router = APIRouter()
