"""The admin web app (`clients/admin`), served at `/admin/` from its build.

The app is served by this backend, same origin as the API, so the session
cookie and the CSRF header work without CORS. Its files come from
`ADMIN_DIST_DIR` (default `clients/admin/dist`), looked up on every
request: without a build `/admin/` answers 404, and a build made while the
app runs is served at once. A path that is no file of the build gets
`index.html` (the app routes in the browser). None of this is in the
OpenAPI document, and the pages get a Content-Security-Policy that lets
the app's own scripts, styles and API calls run and nothing else.
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, RedirectResponse, Response

from rich_catalog.problems import not_found
from rich_catalog.settings import Settings, app_settings

PREFIX = "/admin"

router = APIRouter(include_in_schema=False)


def _file(root: Path, path: str) -> Path | None:
    """The build's file at `path`, never one outside `root`."""
    if not path:
        return None
    candidate = (root / path).resolve()
    if candidate.is_relative_to(root) and candidate.is_file():
        return candidate
    return None


@router.get(PREFIX)
def admin_root() -> RedirectResponse:
    """`/admin` → `/admin/` (the app's relative URLs need the slash)."""
    return RedirectResponse(f"{PREFIX}/", status_code=308)


@router.get(PREFIX + "/{path:path}")
def admin_file(settings: Annotated[Settings, Depends(app_settings)], path: str) -> Response:
    """A file of the build, else its `index.html`; 404 without a build."""
    root = settings.admin_dist_dir.resolve()
    index = root / "index.html"
    if not index.is_file():
        raise not_found("The admin app is not built.")
    found = _file(root, path)
    if found is not None and found.parent.name == "assets":
        # Vite names assets by their content: they never change.
        return FileResponse(found, headers={"Cache-Control": "public, max-age=31536000, immutable"})
    return FileResponse(found or index, headers={"Cache-Control": "no-cache"})
