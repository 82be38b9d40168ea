"""What every page depends on: the signed-in viewer and, for a POST, its checked form.

Pages use the API's own session dependency (one transaction per request) and the same
services, so a page can show only what the API would answer for the same key.
"""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from synth.api.deps import SessionDep as SessionDep  # pages take it from here
from synth.auth.models import Role, WebSession
from synth.auth.principal import Principal
from synth.auth.sessions import csrf_matches, current
from synth.errors import Forbidden, InvalidInput, Unauthorized
from synth.people.models import Person

SESSION_COOKIE = "synth_session"
# A form larger than the API's body limit never gets here (BodySizeLimit); this bounds the
# number of fields a hostile form can make us parse.
MAX_FORM_FIELDS = 500


@dataclass(frozen=True)
class Viewer:
    """Who is reading a page: their principal, the person they are, their form token."""

    principal: Principal
    person: Person | None
    session: WebSession

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    def require(self, *roles: Role) -> None:
        """Forbidden (a 403 page) unless the viewer has one of `roles`; admin always passes."""
        self.principal.require(*roles)


def get_viewer(request: Request, db: SessionDep) -> Viewer:
    """The signed-in viewer, or Unauthorized, which a page answers with the sign-in form."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("sign in to continue", code="sign_in_required")
    session, principal = current(db_session=db, token=token)
    person = db.get(Person, principal.person_id) if principal.person_id else None
    return Viewer(principal=principal, person=person, session=session)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


async def read_form(request: Request, max_fields: int = MAX_FORM_FIELDS) -> dict[str, str]:
    """A POST's urlencoded form (the last of repeated names); 422 `form_too_large` past
    `max_fields` fields. The token it carries is the caller's to check."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return dict(parse_qsl(body, keep_blank_values=True, max_num_fields=max_fields))
    except ValueError as exc:
        raise InvalidInput(
            f"a form has at most {max_fields} fields", code="form_too_large"
        ) from exc


async def posted_form(request: Request, viewer: ViewerDep) -> dict[str, str]:
    """The urlencoded form of a POST, once its CSRF token is the viewer's (403 otherwise)."""
    form = await read_form(request)
    if not csrf_matches(viewer.session, form.pop("csrf_token", None)):
        raise Forbidden(
            "this form has expired or did not come from synth: reload the page and try again",
            code="csrf_failed",
        )
    return form


FormDep = Annotated[dict[str, str], Depends(posted_form)]
