"""Routes for dispatch (filled in by the dispatch issue)."""

from fastapi import APIRouter

router = APIRouter()
