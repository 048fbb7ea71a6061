"""Incidents keep where they are as the operator would say it: the reverse-geocoded line
("Jl. Ahmad Yani ±30 m, dekat Masjid Agung At-Taqwa, Kel. Gunung Sari Ilir, Kec. Balikpapan
Tengah") written at creation and again when the pin is moved. NULL: made before this revision.

Revision ID: 1103
Revises: 1404
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "1103"
down_revision = "1404"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incidents", sa.Column("location_description", sa.Text()))


def downgrade() -> None:
    op.drop_column("incidents", "location_description")
