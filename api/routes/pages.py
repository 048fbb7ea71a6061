"""Routes for pages (filled in by the pages issue)."""

from fastapi import APIRouter

router = APIRouter()
