"""The web front ends, served from their build (web/dist) by the API process.

`/book/...` is the guest booking widget and `/console/...` the staff console: single-page
apps, so every path under them answers the app's page and the app reads the path. Their
scripts, styles and the embed script live under `/web/` (content-hashed file names, so
they may be cached for a year; the pages themselves are revalidated on every load).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.problems import problem_response

ASSETS_URL = "/web"
APPS = {"book": "Guest booking widget", "console": "Staff console"}
NOT_BUILT = "the web front ends are not built: run `make web` (Node 20.19 or newer)"


class Assets(StaticFiles):
    """The build's files; hashed ones are immutable, the others are revalidated."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            immutable = path.startswith("assets/")
            response.headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if immutable else "no-cache"
            )
        return response


def install_web_pages(app: FastAPI, dist: Path) -> None:
    """Serve the built apps at /book/ and /console/, their files at /web/."""
    # compressed here (scripts shrink about 3x), so a phone without a proxy in front
    # (make dev, a small site) still downloads little
    assets = GZipMiddleware(Assets(directory=dist, check_dir=False), minimum_size=1024)
    app.mount(ASSETS_URL, assets, name="web")

    for name, title in APPS.items():
        app.add_api_route(
            f"/{name}", _redirect_to(f"/{name}/"), include_in_schema=False, methods=["GET"]
        )
        app.add_api_route(
            f"/{name}/{{rest:path}}",
            _app_page(dist / name / "index.html"),
            include_in_schema=False,
            methods=["GET"],
            summary=title,
        )


def _app_page(page: Path) -> Callable[[Request, str], Response]:
    # sync, so FastAPI runs the file check in its thread pool; `rest` is read by the app
    def app_page(request: Request, rest: str) -> Response:
        if not page.is_file():
            return problem_response(404, "Not found", NOT_BUILT, instance=request.url.path)
        return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-cache"})

    return app_page


def _redirect_to(target: str) -> Callable[[], Awaitable[Response]]:
    async def redirect() -> Response:
        return RedirectResponse(target, status_code=308)

    return redirect
