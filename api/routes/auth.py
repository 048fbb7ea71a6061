"""Routes for auth (filled in by the auth issue)."""

from fastapi import APIRouter

router = APIRouter()
