"""The sightings table, pictures in the rows.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sightings",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("seen", sa.Float(precision=53), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("session", sa.Text),
        sa.Column("score", sa.Float(precision=53), nullable=False),
        sa.Column("evidence", sa.Float(precision=53)),
        sa.Column("box", sa.Text),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("frame", sa.LargeBinary, nullable=False),
        sa.Column("crop", sa.LargeBinary, nullable=False),
    )
    op.create_index("sightings_seen", "sightings", ["seen"])
    op.create_index("sightings_session", "sightings", ["session", "seen"])


def downgrade() -> None:
    op.drop_table("sightings")
