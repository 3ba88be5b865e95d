"""Small helpers that read settings from the environment and fail loudly on a bad value.

A typo in a deployment's environment (``DEBUG=ture``, ``WORKERS=four``) must stop the process at
start-up with a message that names the variable, not be read silently as a default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def _env_number(name: str, default, minimum, cast, kind: str):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {kind}; got {raw!r}") from None
    if value != value or (minimum is not None and value < minimum):  # value != value: NaN
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {raw!r}")
    return value


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    return _env_number(name, default, minimum, int, "a whole number")


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    return _env_number(name, default, minimum, float, "a number")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
