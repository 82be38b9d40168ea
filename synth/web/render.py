"""Pages from Jinja2 templates (autoescaped), redirects after a POST, and error pages."""

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from synth.api.limits import WEB_PREFIX, WEB_STATIC, is_web_page
from synth.auth.models import Role
from synth.web.deps import SESSION_COOKIE, Viewer

PREFIX, STATIC = WEB_PREFIX, WEB_STATIC

# What each role finds in the navigation, in order; the first entry is its home page.
NAV: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.HR: (("Dashboard", f"{PREFIX}/hr"),),
    Role.MANAGER: (("Review desk", f"{PREFIX}/review"), ("My page", f"{PREFIX}/me")),
    Role.ENGINEER: (("My page", f"{PREFIX}/me"),),
    Role.THOUGHT_PARTNER: (("Checklists", f"{PREFIX}/partner"), ("My page", f"{PREFIX}/me")),
    Role.ADMIN: (
        ("Dashboard", f"{PREFIX}/hr"),
        ("Review desk", f"{PREFIX}/review"),
        ("Checklists", f"{PREFIX}/partner"),
    ),
    Role.SERVICE: (),
}
# Codes the notice line of a page turns into a sentence (after a POST's redirect).
NOTICES = {
    "signed_in": "You are signed in.",
    "signed_out": "You are signed out.",
    "key_steps_suggested": "Suggested key steps are below the expectation: adopt the ones "
    "you want.",
    "key_step_adopted": "The step is now one of your key steps.",
    "self_assessment_saved": "Your self-assessment is saved. Your manager reads it beside the "
    "feedback.",
}

# Errors that mean "sign in (again)": the cookie is dropped and the form shown.
SIGN_IN_CODES = frozenset(
    {"sign_in_required", "signed_out", "session_expired", "key_revoked", "invalid_api_key"}
)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


env = Environment(
    loader=PackageLoader("synth.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["when"] = _when
env.filters["pct"] = _pct
env.globals["STATIC"] = STATIC


def home_of(role: Role) -> str:
    """The page a role lands on after signing in."""
    entries = NAV.get(role, ())
    return entries[0][1] if entries else f"{PREFIX}/"


def page(
    request: Request, template: str, viewer: Viewer | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render `template` with the viewer, their navigation and any notice."""
    notice = request.query_params.get("notice")
    html = env.get_template(template).render(
        request=request,
        viewer=viewer,
        nav=NAV.get(viewer.role, ()) if viewer else (),
        csrf_token=viewer.csrf_token if viewer else "",
        notice=NOTICES.get(notice or "", notice) if notice else None,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def redirect(url: str, notice: str | None = None) -> RedirectResponse:
    """303 to `url` (a GET after a POST), with a notice the next page shows."""
    if notice:
        url += ("&" if "?" in url else "?") + urlencode({"notice": notice})
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, response: JSONResponse) -> Response:
    """The API's error as a page for a browser on /app: the same status and stable code.
    A request that needs signing in goes to the sign-in form and comes back after."""
    if not is_web_page(request.url.path):
        return response
    body = json.loads(bytes(response.body))
    code, message = body.get("code", "error"), body.get("message", "")
    if response.status_code == 401 and code in SIGN_IN_CODES:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        back = quote(target, safe="/?=&") if request.method == "GET" else PREFIX
        answer = RedirectResponse(f"{PREFIX}/sign-in?next={back}&reason={code}", status_code=303)
        answer.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return answer
    html = env.get_template("error.html").render(
        request=request,
        viewer=None,
        nav=(),
        csrf_token="",
        notice=None,
        status=response.status_code,
        code=code,
        message=message,
        details=body.get("details"),
    )
    headers = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
    return HTMLResponse(html, status_code=response.status_code, headers=headers)
