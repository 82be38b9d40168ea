"""Signing in and out, and the landing page that sends each role to its home."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from synth.api.deps import SessionDep
from synth.api.limits import FailedAuthThrottle
from synth.auth.sessions import csrf_matches, sign_in, sign_out
from synth.config import get_settings
from synth.errors import Unauthorized
from synth.web.deps import SESSION_COOKIE, ViewerDep, read_form
from synth.web.render import PREFIX, home_of, page, redirect

router = APIRouter(prefix=PREFIX, include_in_schema=False)

# Signing in has no session yet, so its form is protected by a token that must match a
# cookie set with the form (a login-CSRF attack cannot read or set that cookie).
SIGN_IN_COOKIE = "synth_sign_in"
REASONS = {
    "sign_in_required": "Sign in to continue.",
    "signed_out": "You are signed out.",
    "session_expired": "Your session has expired: sign in again.",
    "key_revoked": "The API key you signed in with no longer works.",
}
MAX_KEY_LENGTH = 200
SIGN_IN_FIELDS = 10  # the sign-in and sign-out forms have three at most


def _safe_next(target: str | None) -> str | None:
    """Only a path inside the app: never another host (`//evil`, `https://…`)."""
    if not target or not target.startswith(f"{PREFIX}/") or target.startswith("//"):
        return None
    return None if "\\" in target or "//" in target else target


def _secure(request: Request) -> bool:
    return get_settings().secure_cookies or request.url.scheme == "https"


def _sign_in_form(
    request: Request, *, next_url: str | None, error: str | None, status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    reason = REASONS.get(request.query_params.get("reason", ""))
    response = page(
        request,
        "sign_in.html",
        None,
        status_code=status_code,
        form_token=token,
        next_url=next_url or "",
        error=error,
        reason=None if error else reason,
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=3600,
        path=f"{PREFIX}/sign-in",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request, next_url: Annotated[str | None, Query(alias="next")] = None
) -> HTMLResponse:
    return _sign_in_form(request, next_url=_safe_next(next_url), error=None)


@router.post("/sign-in")
async def sign_in_submit(request: Request, db: SessionDep) -> Response:
    form = await read_form(request, max_fields=SIGN_IN_FIELDS)
    next_url = _safe_next(form.get("next"))
    expected = request.cookies.get(SIGN_IN_COOKIE)
    sent = form.get("form_token", "")
    if not expected or not secrets.compare_digest(expected, sent):
        return _sign_in_form(
            request,
            next_url=next_url,
            error="This form had expired: please sign in again.",
            status_code=403,
        )
    api_key = form.get("api_key", "").strip()
    if not api_key or len(api_key) > MAX_KEY_LENGTH:
        return _sign_in_form(
            request, next_url=next_url, error="Enter your API key.", status_code=422
        )
    throttle: FailedAuthThrottle = request.app.state.auth_throttle
    client = request.client.host if request.client else "unknown"
    throttle.check(client)  # 429 page with Retry-After after too many bad keys
    try:
        signed = sign_in(db_session=db, api_key=api_key)
    except Unauthorized as exc:
        throttle.failed(client)
        return _sign_in_form(request, next_url=next_url, error=exc.message, status_code=401)
    response = RedirectResponse(next_url or home_of(signed.principal.role), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=int(get_settings().session_hours * 3600),
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=f"{PREFIX}/sign-in")
    return response


@router.post("/sign-out")
async def sign_out_submit(request: Request, db: SessionDep, viewer: ViewerDep) -> Response:
    sent = (await read_form(request, max_fields=SIGN_IN_FIELDS)).get("csrf_token")
    if csrf_matches(viewer.session, sent):
        sign_out(db_session=db, token=request.cookies.get(SESSION_COOKIE, ""))
    else:  # a forged sign-out is harmless, but it is not honoured either
        return redirect(home_of(viewer.role))
    response = redirect(f"{PREFIX}/sign-in?reason=signed_out")
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def home(request: Request, viewer: ViewerDep) -> Response:
    target = home_of(viewer.role)
    if target != f"{PREFIX}/":
        return redirect(target)
    return page(request, "home.html", viewer)
