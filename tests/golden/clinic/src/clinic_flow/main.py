"""The application factory: `uvicorn clinic_flow.main:app`."""

import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from clinic_flow import problems
from clinic_flow.routers import (
    admin,
    appointments,
    auth,
    clinicians,
    health,
    me,
    patients,
    visit_notes,
)
from clinic_flow.settings import Settings, get_settings

API_PREFIX = "/api"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured app; settings come from the environment unless given."""
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level.upper())
    app = FastAPI(
        title="ClinicFlow",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.dependency_overrides[get_settings] = lambda: settings
    problems.install(app)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.include_router(health.router)
    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(admin.router, prefix=API_PREFIX)
    app.include_router(me.router, prefix=API_PREFIX)
    app.include_router(patients.router, prefix=API_PREFIX)
    app.include_router(clinicians.router, prefix=API_PREFIX)
    app.include_router(appointments.router, prefix=API_PREFIX)
    app.include_router(visit_notes.router, prefix=API_PREFIX)
    return app


app = create_app()
