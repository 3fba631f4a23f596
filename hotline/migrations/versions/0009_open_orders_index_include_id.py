"""the open-orders index carries the order id on PostgreSQL too (index-only duplicate check)

Revision ID: 0009_open_orders_include_id
Revises: 0008_history_at_index
Create Date: 2026-11-24 10:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0009_open_orders_include_id"
down_revision = "0008_history_at_index"
branch_labels = None
depends_on = None

COLUMNS = ["region_code", "state", "created_at", "incident_address"]


def upgrade() -> None:
    # SQLite indexes carry the row id already, so the duplicate check's read of a region's open orders
    # is index-only there; PostgreSQL visited the table for the id (bench/suggest_latency.py --url).
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_work_order_region_open", table_name="work_order")
    op.create_index("ix_work_order_region_open", "work_order", COLUMNS, postgresql_include=["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_work_order_region_open", table_name="work_order")
    op.create_index("ix_work_order_region_open", "work_order", COLUMNS)
