"""Signing up and in through the API: registration, tokens, changing and resetting a password."""

from django.contrib.auth import update_session_auth_hash
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts import services
from accounts.auth import AUTH
from core.api import ERRORS
from core.ratelimit import check as rate_limit

OPERATION_IDS_OF = "accounts.api"  # the operation ids predate the split (config/api.py)

router = Router(tags=["accounts"])


# --- Schemas ---------------------------------------------------------------------------------------
class RegisterIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=128)
    display_name: str = Field("", max_length=60)
    email: str = Field("", max_length=254, description="Optional; used for password reset.")


class RegisterOut(Schema):
    id: int
    username: str


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=128)


class TokenOut(Schema):
    token: str


# --- Auth ------------------------------------------------------------------------------------------
@router.post("/auth/register", response={201: RegisterOut, **ERRORS}, auth=None, tags=["auth"])
def register(request, payload: RegisterIn):
    rate_limit(request, "register")
    user = services.user_register(
        username=payload.username, password=payload.password, display_name=payload.display_name, email=payload.email
    )
    return Status(201, user)


@router.post("/auth/token", response={200: TokenOut, **ERRORS}, auth=None, tags=["auth"])
def obtain_token(request, payload: TokenIn):
    return {"token": services.token_obtain(request=request, username=payload.username, password=payload.password)}


@router.post("/auth/token/revoke", response={204: None, **ERRORS}, auth=AUTH, tags=["auth"])
def revoke_token(request):
    """Revoke the bearer token this call is made with (log out a device)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.token_revoke(actor=request.auth, raw=header[7:].strip())
    return Status(204, None)


class PasswordChangeIn(Schema):
    old_password: str = Field(..., max_length=128)
    new_password: str = Field(..., max_length=128)


@router.post("/me/password", response={200: TokenOut, **ERRORS}, auth=AUTH, tags=["auth"])
def change_password(request, payload: PasswordChangeIn):
    """Change the caller's password: a fresh token comes back, every other token and session ends."""
    token = services.password_change(actor=request.auth, old_password=payload.old_password, new_password=payload.new_password)
    if request.user.is_authenticated and request.user.pk == request.auth.pk and request.session.session_key:
        update_session_auth_hash(request, request.auth)  # called from this browser: keep this session
    return {"token": token}


class PasswordResetIn(Schema):
    email: str = Field(..., max_length=254)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(..., max_length=64)
    token: str = Field(..., max_length=128)
    new_password: str = Field(..., max_length=128)


class DetailOut(Schema):
    detail: str


@router.post("/auth/password-reset", response={202: DetailOut, **ERRORS}, auth=None, tags=["auth"])
def password_reset(request, payload: PasswordResetIn):
    """Email a reset link to the accounts with this address; the answer is the same whether or not
    there is one."""
    rate_limit(request, "password_reset")
    services.password_reset_request(request=request, email=payload.email)
    return Status(202, {"detail": _("If an account has this address, a link to set a new password is on its way.")})


@router.post("/auth/password-reset/confirm", response={200: DetailOut, **ERRORS}, auth=None, tags=["auth"])
def password_reset_confirm(request, payload: PasswordResetConfirmIn):
    """Set a new password with the two parts of the emailed link; every token and session ends."""
    services.password_reset_confirm(uid=payload.uid, token=payload.token, new_password=payload.new_password)
    return {"detail": _("Your new password is set. Log in with it.")}
