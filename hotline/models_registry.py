"""Imports every model module so that ``Base.metadata`` is complete (Alembic, tests)."""

from hotline import idempotency as _idempotency  # noqa: F401
from hotline.audit import models as _audit  # noqa: F401
from hotline.events import models as _events  # noqa: F401
from hotline.org import models as _org  # noqa: F401
from hotline.users import models as _users  # noqa: F401
from kb import models as _kb  # noqa: F401
from routing import models as _routing  # noqa: F401
from routing.calls import models as _calls  # noqa: F401
from routing.deadlines import models as _deadlines  # noqa: F401
from routing.lifecycle import models as _lifecycle  # noqa: F401
from routing.orders import models as _orders  # noqa: F401
