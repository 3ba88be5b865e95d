"""What every app's API shares: the error body, the one table of error statuses, pagination, and
times the database can keep. The NinjaAPI object that mounts the routers is ``config.api``."""

import datetime
from typing import Annotated

from ninja import Schema
from ninja.pagination import PaginationBase
from pydantic import AfterValidator, Field


class PageNumberPagination(PaginationBase):
    """``?page=&page_size=`` (at most 100) → ``{"items": [...], "count": N}``, as the contract says."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int = Field(20, ge=1, le=100)

    class Output(Schema):
        items: list
        count: int

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": self._items_count(queryset),
        }


def _a_time_the_database_can_keep(value: datetime.datetime) -> datetime.datetime:
    # PostgreSQL refuses offsets beyond about ±16 hours, and a time near the year 1 with a positive
    # offset is stored as 1 BC, which no Python datetime can read back: the list holding it then
    # failed for everyone (found by schemathesis). Real offsets lie within ±14:00.
    offset = value.utcoffset()
    if offset is not None and abs(offset) > datetime.timedelta(hours=14):
        raise ValueError("The time zone offset must lie between -14:00 and +14:00.")
    if not 1900 <= value.year <= 2999:
        raise ValueError("The year must lie between 1900 and 2999.")
    return value


# Every time the API takes in (bodies and filters): checked before it reaches the database.
ApiDateTime = Annotated[datetime.datetime, AfterValidator(_a_time_the_database_can_keep)]


class ErrorOut(Schema):
    detail: str
    code: str


# The one table of statuses an endpoint may answer with an ErrorOut body (a refused login or a rate
# limit is a 429); an endpoint adds the rare ones (502, 503) itself: ``{200: Out, **ERRORS, 503: ErrorOut}``.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
