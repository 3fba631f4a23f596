"""create ix_work_order_region_created where 0005 ran before the index was added to it

Revision ID: 0010_region_created_repair
Revises: 0009_open_orders_include_id
Create Date: 2026-11-24 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_region_created_repair"
down_revision = "0009_open_orders_include_id"
branch_labels = None
depends_on = None

NAME = "ix_work_order_region_created"


def upgrade() -> None:
    # The index was added to migration 0005 after that revision had shipped, so a database upgraded
    # past 0005 before then has no such index (the schema test found one in CI). Alembic never reruns
    # an applied revision, so this one creates it wherever it is missing and leaves it alone otherwise.
    existing = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("work_order")}
    if NAME not in existing:
        op.create_index(NAME, "work_order", ["region_code", "created_at"], unique=False)


def downgrade() -> None:
    # 0005's downgrade drops the index; this revision only guaranteed it exists.
    pass
