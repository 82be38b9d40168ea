"""The web app under /app: server-rendered pages over the same services as the API.

Sign-in exchanges an API key for a session cookie (synth.auth.sessions); every page then
calls the services with the viewer's principal, so a page shows exactly what the API would
answer for the same key. Static assets, Chart.js included, ship in the package: nothing is
loaded from a CDN.
"""

from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from synth.web import hr, me, pages, partner, review
from synth.web.render import STATIC, error_page

ROUTERS = (pages.router, hr.router, me.router, review.router, partner.router)


def install(app: FastAPI) -> None:
    """Serve the web app's pages and static files on `app`; its errors become pages."""
    app.state.error_page = error_page
    app.mount(STATIC, StaticFiles(directory=str(files("synth.web") / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router)
