"""Routes for tracking (filled in by the tracking issue)."""

from fastapi import APIRouter

router = APIRouter()
