"""Services of deliberation, one module per workflow: stewards and their issues, meetings (agenda,
attendance, motions, votes, minutes), conventions and their signatures, conduct points.

Import from here (``from deliberation import services``); the split is only for size.
"""

from deliberation.services.conduct import *  # noqa: F401,F403
from deliberation.services.conventions import *  # noqa: F401,F403
from deliberation.services.meetings import *  # noqa: F401,F403
from deliberation.services.stewards import *  # noqa: F401,F403
