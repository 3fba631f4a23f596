"""index for open orders per region (the address duplicate check)

Revision ID: 0007_open_orders_index
Revises: 0006_call_transfer
Create Date: 2026-11-24 07:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0007_open_orders_index"
down_revision = "0006_call_transfer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_order_region_open",
            ["region_code", "state", "created_at", "incident_address"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_region_open")
