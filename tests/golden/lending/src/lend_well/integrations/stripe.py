"""Card payments through Stripe (the `stripe` integration).

`POST /api/repayments/{id}/payment` (whoever may read the row)
creates a PaymentIntent for the row's `amount_cents`, or
reuses the one already made for the same row and amount: the Stripe
idempotency key is derived from both, and the `payments` row remembers the
answer. It answers `{payment_id, client_secret, status}`.

`POST /api/webhooks/stripe` takes Stripe's events. The body must
carry a valid `Stripe-Signature` for `STRIPE_WEBHOOK_SECRET` made within
five minutes, else 400. Each event id is stored once (`stripe_events`): a
replay answers 200 and changes nothing, and two deliveries of one event at
once change the row once (the second waits for the first's insert). In the
same transaction as that insert, a succeeded payment moves the row's `state` to `paid` and the `payments` row; failures and refunds
are recorded on it; every one goes to the audit log. The webhook takes no
session cookie (so no CSRF token) and is rate limited like every request.

Card numbers never reach this backend (PCI DSS SAQ A): the browser gives
them to Stripe (Stripe.js Elements, with the `client_secret`), and
only ids, amounts, statuses and failure codes are stored or logged.

Calls to Stripe use the official SDK, retried by it with exponential backoff
and jitter for the errors Stripe marks retryable (connection errors, 409,
429, 5xx), at most `STRIPE_MAX_NETWORK_RETRIES` times.
"""

import datetime as dt
import hashlib
import json
import logging
import uuid
from typing import Annotated, Any

import sqlalchemy as sa
import stripe
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, mapped_column

from lend_well import audit
from lend_well.http import RawBody
from lend_well.models import Base, Repayment
from lend_well.permissions import Actor, require
from lend_well.problems import Problem, conflict, invalid
from lend_well.security.dependencies import DbSession
from lend_well.services import repayments as rows

logger = logging.getLogger(__name__)

ENTITY = "Repayment"
# The paid entity's model and route, under names whose length does not
# depend on the spec's.
PaidRow = Repayment
PAY_PATH = "/repayments/{item_id}/payment"
# Seconds a webhook signature stays valid.
SIGNATURE_TOLERANCE = 300
# The events that change something; others are stored and acknowledged.
SUCCEEDED = ("payment_intent.succeeded", "checkout.session.completed")
FAILED = "payment_intent.payment_failed"
REFUNDED = "charge.refunded"


class StripeSettings(BaseSettings):
    """What the integration reads from the environment."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    stripe_max_network_retries: int = Field(default=3, ge=0, le=10)


class Payment(Base):
    """A payment of one row: Stripe's object for it, and what became of it."""

    __tablename__ = "payments"
    __table_args__ = (
        sa.UniqueConstraint("idempotency_key", name="uq_payments_idempotency_key"),
        sa.Index("ix_payments_row_id", "row_id"),
        sa.Index("ix_payments_stripe_id", "stripe_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )
    entity: Mapped[str] = mapped_column(sa.String(64))
    row_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid())
    amount: Mapped[int] = mapped_column(sa.BigInteger())
    currency: Mapped[str] = mapped_column(sa.String(3))
    idempotency_key: Mapped[str] = mapped_column(sa.String(128))
    stripe_id: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(32))
    failure_code: Mapped[str | None] = mapped_column(sa.String(64))
    amount_refunded: Mapped[int] = mapped_column(sa.BigInteger(), server_default="0")


class StripeEvent(Base):
    """An event Stripe delivered, kept so a replay changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(128))
    received_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class PaymentRead(BaseModel):
    """The answer of the payment endpoint."""

    payment_id: str
    client_secret: str | None
    status: str


def client() -> stripe.StripeClient:
    """A Stripe client for `STRIPE_SECRET_KEY` (at `STRIPE_API_BASE` when set, such as stripe-mock)."""
    settings = StripeSettings()
    if not settings.stripe_secret_key:
        raise Problem(503, "Payments are not configured.")
    base: dict[str, str] = {}
    if settings.stripe_api_base:
        base = {"api": settings.stripe_api_base}
    return stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=settings.stripe_max_network_retries,
    )


def idempotency_key(row_id: uuid.UUID, amount: int, currency: str) -> str:
    """The key Stripe dedupes creation by: the same row and amount give the same key."""
    digest = hashlib.sha256(f"{ENTITY}:{row_id}:{amount}:{currency}".encode()).hexdigest()
    return f"payment-{digest[:48]}"


def _price(row: PaidRow) -> tuple[int, str]:
    """The row's amount and currency, checked."""
    amount = row.amount_cents
    currency = "eur"
    if amount is None or amount <= 0:
        raise invalid({"amount_cents": "must be set, above zero, before the row can be paid"})
    if not currency:
        raise invalid({"currency": "must be set before the row can be paid"})
    return int(amount), str(currency).lower()


def _is_paid(row: PaidRow) -> bool:
    return row.state == "paid"


def _answer(payment: Payment, obj: Any) -> PaymentRead:
    return PaymentRead(
        payment_id=payment.stripe_id,
        client_secret=obj.client_secret,
        status=str(obj.status),
    )


def _create(row: PaidRow, amount: int, currency: str, key: str) -> Any:
    """Creates Stripe's object for the row (the same one again for the same key)."""
    metadata = {"entity": ENTITY, "row_id": str(row.id)}
    return client().v1.payment_intents.create(
        {
            "amount": amount,
            "currency": currency,
            "automatic_payment_methods": {"enabled": True},
            "metadata": metadata,
        },
        {"idempotency_key": key},
    )


def _retrieve(stripe_id: str) -> Any:
    return client().v1.payment_intents.retrieve(stripe_id)


def start_payment(db: Session, actor: Actor, row_id: uuid.UUID) -> PaymentRead:
    """Creates or reuses the payment of a row the caller may read (404 otherwise)."""
    rows.find_one(db, actor, row_id)
    row = db.get(PaidRow, row_id)
    if row is None:
        raise Problem(404, "No such resource.")
    if _is_paid(row):
        raise conflict("This record is already paid.")
    # Payment moves the row only from these values: paid elsewhere, it would move nothing.
    if row.state not in ("due",):
        allowed = ", ".join(("due",))
        message = f"must be one of {allowed} before the row can be paid"
        raise conflict(
            "This record cannot be paid in its current state.",
            {"state": message},
        )
    amount, currency = _price(row)
    key = idempotency_key(row.id, amount, currency)
    existing = db.scalars(sa.select(Payment).where(Payment.idempotency_key == key)).first()
    if existing is not None:
        return _answer(existing, _retrieve(existing.stripe_id))
    obj = _create(row, amount, currency, key)
    inserted = db.execute(
        postgresql.insert(Payment)
        .values(
            id=uuid.uuid4(),
            entity=ENTITY,
            row_id=row.id,
            amount=amount,
            currency=currency,
            idempotency_key=key,
            stripe_id=obj.id,
            status=str(obj.status),
        )
        .on_conflict_do_nothing()
        .returning(Payment.id)
    ).first()
    if inserted is not None:
        audit.record(db, "payment_started", actor, ENTITY, row.id)
    db.commit()
    payment = db.scalars(sa.select(Payment).where(Payment.idempotency_key == key)).one()
    return _answer(payment, obj)


def _payment_of(db: Session, stripe_id: str | None) -> Payment | None:
    """The payment with this Stripe id, locked for the transaction."""
    if not stripe_id:
        return None
    return db.scalars(
        sa.select(Payment)
        .where(Payment.stripe_id == stripe_id)
        .order_by(Payment.created_at.desc())
        .with_for_update()
    ).first()


def _mark_paid(db: Session, payment: Payment) -> None:
    """Marks the payment and its row paid (once: a paid payment is left alone)."""
    if payment.status == "succeeded":
        return
    payment.status = "succeeded"
    payment.failure_code = None
    row = db.scalars(
        sa.select(PaidRow).where(PaidRow.id == payment.row_id).with_for_update()
    ).first()
    # The move is made from a state that allows it; a row elsewhere keeps its state.
    if row is not None and row.state in ("due",):
        row.state = "paid"
    audit.record(db, "payment_succeeded", None, ENTITY, payment.row_id, ["state"])


def handle(db: Session, event: dict[str, Any]) -> bool:
    """Applies a verified event in the caller's transaction; whether it was new."""
    kind = str(event.get("type", ""))
    stored = db.execute(
        postgresql.insert(StripeEvent)
        .values(id=str(event["id"])[:255], type=kind[:128])
        .on_conflict_do_nothing()
        .returning(StripeEvent.id)
    ).first()
    if stored is None:
        return False
    obj: dict[str, Any] = event.get("data", {}).get("object", {})
    if kind in SUCCEEDED:
        if kind == "checkout.session.completed" and obj.get("payment_status") != "paid":
            return True
        payment = _payment_of(db, obj.get("id"))
        if payment is not None:
            _mark_paid(db, payment)
    elif kind == FAILED:
        payment = _payment_of(db, obj.get("id")) or _payment_of_intent(db, obj)
        if payment is not None and payment.status != "succeeded":
            error = obj.get("last_payment_error") or {}
            payment.status = "failed"
            payment.failure_code = str(error.get("code") or "unknown")[:64]
            audit.record(db, "payment_failed", None, ENTITY, payment.row_id)
    elif kind == REFUNDED:
        payment = _payment_of(db, obj.get("payment_intent")) or _payment_of_intent(db, obj)
        if payment is not None:
            payment.amount_refunded = int(obj.get("amount_refunded") or 0)
            payment.status = (
                "refunded" if payment.amount_refunded >= payment.amount else "partially_refunded"
            )
            audit.record(db, "payment_refunded", None, ENTITY, payment.row_id)
    return True


def _payment_of_intent(db: Session, obj: dict[str, Any]) -> Payment | None:
    """The newest payment of the row an object's metadata names (a Checkout Session's intent or charge)."""
    row_id = (obj.get("metadata") or {}).get("row_id")
    if not row_id or (obj.get("metadata") or {}).get("entity") != ENTITY:
        return None
    try:
        row = uuid.UUID(str(row_id))
    except ValueError:
        return None
    return db.scalars(
        sa.select(Payment)
        .where(Payment.row_id == row, Payment.entity == ENTITY)
        .order_by(Payment.created_at.desc())
        .with_for_update()
    ).first()


router = APIRouter(tags=["payments"])

CanRead = Annotated[Actor, Depends(require(ENTITY, "read"))]


@router.post(PAY_PATH, response_model=PaymentRead)
def pay(item_id: uuid.UUID, actor: CanRead, db: DbSession) -> PaymentRead:
    """Creates or reuses the payment of a row the caller may read."""
    try:
        return start_payment(db, actor, item_id)
    except stripe.StripeError as error:
        # Retried by the SDK already; the reason is logged, never the card.
        logger.warning("stripe refused the payment: %s", type(error).__name__)
        raise Problem(502, "The payment provider did not answer; try again later.") from error


@router.post("/webhooks/stripe")
def webhook(request: Request, payload: RawBody, db: DbSession) -> dict[str, bool]:
    """Verifies and applies one Stripe event; a replay is acknowledged and changes nothing."""
    secret = StripeSettings().stripe_webhook_secret
    signature = request.headers.get("Stripe-Signature", "")
    refused = Problem(400, "The Stripe-Signature header is missing or wrong.")
    if not secret or not signature:
        raise refused
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, secret, SIGNATURE_TOLERANCE)
        event = json.loads(text)
    except (ValueError, IndexError, stripe.SignatureVerificationError) as error:
        raise refused from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise refused
    new = handle(db, event)
    db.commit()
    if new:
        logger.info("stripe event %s applied", event.get("type"))
    return {"received": True, "replay": not new}


def install(app: FastAPI) -> None:
    """Adds the payment route and the webhook."""
    app.include_router(router, prefix="/api")
