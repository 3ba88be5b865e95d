"""What the account modules of the API share."""

from ninja import Schema


def _filters(schema: Schema) -> dict:
    return {key: value for key, value in schema.dict().items() if value not in (None, "")}
