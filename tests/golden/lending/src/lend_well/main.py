"""The application factory: `uvicorn lend_well.main:app`."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from lend_well import admin_app, faults, problems, ratelimit
from lend_well.client import ClientAddressMiddleware, parse_trusted_proxies
from lend_well.db import ConnectionGate, get_sessionmaker
from lend_well.integrations import oidc, sentry, stripe
from lend_well.logs import configure_logging
from lend_well.middleware import RequestContextMiddleware
from lend_well.routers import (
    admin,
    applicants,
    auth,
    health,
    loan_applications,
    me,
    repayments,
)
from lend_well.settings import Settings, get_settings

API_PREFIX = "/api"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured app; settings come from the environment unless given."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="LendWell",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        # While it serves, the rate limiter counts on the event loop (ratelimit.loop_counting).
        lifespan=ratelimit.loop_counting,
    )
    # What routes read through `settings.app_settings`.
    app.state.settings = settings
    # Every request's session comes from here (db.get_db, the rate limiter).
    app.state.sessions = get_sessionmaker()
    # No more requests use the database at once than there are threads (db.ConnectionGate).
    app.state.connection_gate = ConnectionGate(settings.db_pool_timeout)
    problems.install(app)
    faults.install(app)
    sentry.install(app)
    oidc.install(app)
    stripe.install(app)
    app.state.rate_limiter = ratelimit.from_settings(settings)
    app.add_middleware(ratelimit.ClientRateLimitMiddleware, limiter=app.state.rate_limiter)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    # Outermost: request ids, protective headers and the access log on every response.
    app.add_middleware(RequestContextMiddleware)
    # Outside that: the client's address, from TRUSTED_PROXIES (client.py).
    app.add_middleware(
        ClientAddressMiddleware, trusted=parse_trusted_proxies(settings.trusted_proxies)
    )
    app.include_router(health.router)
    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(admin.router, prefix=API_PREFIX)
    app.include_router(me.router, prefix=API_PREFIX)
    app.include_router(applicants.router, prefix=API_PREFIX)
    app.include_router(loan_applications.router, prefix=API_PREFIX)
    app.include_router(repayments.router, prefix=API_PREFIX)
    # The admin web app's build at /admin/, same origin (not in the API document).
    app.include_router(admin_app.router)
    return app


app = create_app()
