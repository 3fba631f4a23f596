"""index order_history by time (the KPI period selection)

Revision ID: 0008_history_at_index
Revises: 0007_open_orders_index
Create Date: 2026-11-24 09:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0008_history_at_index"
down_revision = "0007_open_orders_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # kpi.candidates reads the orders with a step in the period, and the deadline-setting steps in the
    # lookback before it, by time: without an index both scan the whole history (bench/kpi_latency.py).
    with op.batch_alter_table("order_history", schema=None) as batch_op:
        batch_op.create_index("ix_order_history_at", ["at", "order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_history", schema=None) as batch_op:
        batch_op.drop_index("ix_order_history_at")
