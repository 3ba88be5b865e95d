"""Services of the marketplace, one module per object: tasks, needs, consultations, projects.

Import from here (``from marketplace.services import task_create``); the split is only for size.
"""

from marketplace.services.consultations import *  # noqa: F401,F403
from marketplace.services.needs import *  # noqa: F401,F403
from marketplace.services.projects import *  # noqa: F401,F403
from marketplace.services.tasks import *  # noqa: F401,F403
