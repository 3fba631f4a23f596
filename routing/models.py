"""Every table of dispatch suggestion (catalogue, gazetteer, feedback, hotspots), for the registry.

Importing it also installs the two listeners that must see every write, wherever it comes from: risk
alerts on new orders (``routing.risk``) and labelled examples + dispute counts on reassignments
(``routing.suggest.feedback``).
"""

from sqlalchemy import Index

from routing.catalogue import models as _catalogue  # noqa: F401
from routing.hotspots import models as _hotspots  # noqa: F401
from routing.risk import install_alerts  # noqa: E402
from routing.suggest import models as _suggest  # noqa: F401
from routing.suggest.feedback import install_reassign_listener  # noqa: E402

install_alerts()
install_reassign_listener()

# The duplicate check reads the recent orders of one region on every suggestion; with the two separate
# indexes SQLite scanned the region's whole history (25 ms at 100,000 orders, bench/suggest_latency.py).
# Created by 0005, and by 0010 on databases that passed 0005 before the index was added to it.
from routing.orders.models import OrderHistory, WorkOrder  # noqa: E402

Index("ix_work_order_region_created", WorkOrder.region_code, WorkOrder.created_at)
# The address duplicate check's second query: a region's orders still open, however old (covering,
# so the address prefilter is read from the index; SQLite's indexes carry the row id, PostgreSQL's
# needs it included — migration 0009).
Index(
    "ix_work_order_region_open",
    WorkOrder.region_code,
    WorkOrder.state,
    WorkOrder.created_at,
    WorkOrder.incident_address,
    postgresql_include=["id"],
)
# The KPI period selection (``routing.lifecycle.kpi``) reads the steps of a period, and the
# deadline-setting steps of the lookback before it, by time (migration 0008).
Index("ix_order_history_at", OrderHistory.at, OrderHistory.order_id)
