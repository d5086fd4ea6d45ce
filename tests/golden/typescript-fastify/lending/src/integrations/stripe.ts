/**
 * Card payments through Stripe (the `stripe` integration), with the
 * official Node.js SDK.
 *
 * `POST <base>/repayments/{id}/payment` (whoever may read the row) creates a
 * PaymentIntent for the row's `amount_cents`, or reuses the one already made
 * for the same row and amount: the Stripe idempotency key is derived from
 * both, and the `payments` row remembers the answer. It answers
 * `{payment_id, client_secret, status}`.
 *
 * `POST <base>/webhooks/stripe` takes Stripe's events. The body must carry
 * a valid `Stripe-Signature` for `STRIPE_WEBHOOK_SECRET` made within five
 * minutes, else 400. Each event id is stored once (`stripe_events`): a
 * replay answers 200 and changes nothing, and two deliveries of one event
 * at once change the row once (the second waits for the first's insert).
 * In the same transaction as that insert, a succeeded payment moves the row's `state` to `paid` and the `payments` row; failures and refunds
 * are recorded on it; every one goes to the audit log. The webhook takes no
 * session cookie (so no CSRF token) and is rate limited like every request.
 *
 * Card numbers never reach this backend (PCI DSS SAQ A): the browser gives
 * them to Stripe (Stripe.js Elements, with the `client_secret`), and
 * only ids, amounts, statuses and failure codes are stored or logged.
 *
 * Calls to Stripe are retried by the SDK with exponential backoff for the
 * errors Stripe marks retryable, at most `STRIPE_MAX_NETWORK_RETRIES` times.
 */
import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sql } from "kysely";
import Stripe from "stripe";
import { z } from "zod";
import { record } from "../audit.js";
import { BASE_PATH } from "../base.js";
import type { Db } from "../db.js";
import { authorize } from "../entities/access.js";
import * as crud from "../entities/crud.js";
import { entityNamed } from "../entities/model.js";
import { isUuid } from "../entities/values.js";
import { invalid, Problem } from "../problems.js";
import { Keyring } from "../security/crypto.js";
import { optionalPrincipal } from "../security/principal.js";

/** The entity paid for, and its table. */
export const ENTITY = "Repayment";
const TABLE = "repayments";
/** Seconds a webhook signature stays valid. */
export const SIGNATURE_TOLERANCE = 300;
/** The events that change something; others are stored and acknowledged. */
const SUCCEEDED = new Set(["payment_intent.succeeded", "checkout.session.completed"]);
const FAILED = "payment_intent.payment_failed";
const REFUNDED = "charge.refunded";

const StripeSettings = z.object({
  STRIPE_SECRET_KEY: z.string().default(""),
  STRIPE_WEBHOOK_SECRET: z.string().default(""),
  STRIPE_API_BASE: z.string().default(""),
  STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
});
/** What the integration reads from the environment. */
export type StripeSettings = z.output<typeof StripeSettings>;

/** The integration's settings in `env`. */
export function stripeSettings(env: NodeJS.ProcessEnv = process.env): StripeSettings {
  return StripeSettings.parse(env);
}

/** A Stripe client for `STRIPE_SECRET_KEY` (at `STRIPE_API_BASE` when set, such as stripe-mock), or 503. */
export function client(settings: StripeSettings): Stripe {
  if (settings.STRIPE_SECRET_KEY === "") {
    throw new Problem(503, "Payments are not configured.");
  }
  const base = settings.STRIPE_API_BASE === "" ? null : new URL(settings.STRIPE_API_BASE);
  return new Stripe(settings.STRIPE_SECRET_KEY, {
    maxNetworkRetries: settings.STRIPE_MAX_NETWORK_RETRIES,
    timeout: 10_000,
    ...(base === null
      ? {}
      : {
          host: base.hostname,
          port: base.port === "" ? (base.protocol === "https:" ? 443 : 80) : Number(base.port),
          protocol: base.protocol === "https:" ? "https" : "http",
        }),
  });
}

/** The key Stripe dedupes creation by: the same row and amount give the same key. */
export function idempotencyKey(rowId: string, amount: number, currency: string): string {
  const digest = createHash("sha256")
    .update(`${ENTITY}:${rowId}:${String(amount)}:${currency}`)
    .digest("hex");
  return `payment-${digest.slice(0, 48)}`;
}

/** What the payment route reads of the row. */
interface Priced {
  readonly amount: string | number | null;
  readonly paid: string | null;
}

/** The row's price and whether it is paid, or `null` when there is no such row. */
async function pricedRow(db: Db, rowId: string, lock = false): Promise<Priced | null> {
  const found = await sql<Priced>`
    SELECT amount_cents AS amount, state AS paid
    FROM ${sql.table(TABLE)} WHERE id = ${rowId}::uuid
    ${lock ? sql`FOR UPDATE` : sql``}`.execute(db);
  return found.rows[0] ?? null;
}

function isPaid(row: Priced): boolean {
  return row.paid === "paid";
}

/** The row's amount and currency, checked (422 otherwise). */
function price(row: Priced): { amount: number; currency: string } {
  const amount = row.amount === null ? NaN : Number(row.amount);
  if (!Number.isInteger(amount) || amount <= 0) {
    throw invalid({
      amount_cents: "must be set, above zero, before the row can be paid",
    });
  }
  return { amount, currency: "eur" };
}

/** What the payment route answers. */
export interface PaymentRead {
  readonly payment_id: string;
  readonly client_secret: string | null;
  readonly status: string;
}

type Made = Stripe.PaymentIntent;

function answer(made: Made): PaymentRead {
  return { payment_id: made.id, client_secret: made.client_secret, status: made.status };
}

/** Creates Stripe's object for the row (the same one again for the same key). */
async function create(
  stripe: Stripe,
  rowId: string,
  amount: number,
  currency: string,
  key: string,
): Promise<Made> {
  const metadata = { entity: ENTITY, row_id: rowId };
  return stripe.paymentIntents.create(
    { amount, currency, automatic_payment_methods: { enabled: true }, metadata },
    { idempotencyKey: key },
  );
}

async function retrieve(stripe: Stripe, stripeId: string): Promise<Made> {
  return stripe.paymentIntents.retrieve(stripeId);
}

/** A payment row, as the webhook reads and changes it. */
interface PaymentRow {
  readonly id: string;
  readonly row_id: string;
  readonly amount: string;
  readonly status: string;
}

/** The newest payment with this Stripe id, locked for the transaction. */
async function paymentOf(tx: Db, stripeId: unknown): Promise<PaymentRow | null> {
  if (typeof stripeId !== "string" || stripeId === "") {
    return null;
  }
  const found = await sql<PaymentRow>`
    SELECT id, row_id, amount, status FROM payments WHERE stripe_id = ${stripeId}
    ORDER BY created_at DESC LIMIT 1 FOR UPDATE`.execute(tx);
  return found.rows[0] ?? null;
}

/** The newest payment of the row an object's metadata names (a Checkout Session's intent or charge). */
async function paymentOfRow(tx: Db, object: Record<string, unknown>): Promise<PaymentRow | null> {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const rowId = metadata.row_id;
  if (metadata.entity !== ENTITY || typeof rowId !== "string" || !isUuid(rowId)) {
    return null;
  }
  const found = await sql<PaymentRow>`
    SELECT id, row_id, amount, status FROM payments
    WHERE row_id = ${rowId}::uuid AND entity = ${ENTITY}
    ORDER BY created_at DESC LIMIT 1 FOR UPDATE`.execute(tx);
  return found.rows[0] ?? null;
}

/** Marks the payment and its row paid (once: a paid payment is left alone). */
async function markPaid(tx: Db, payment: PaymentRow): Promise<void> {
  if (payment.status === "succeeded") {
    return;
  }
  await sql`UPDATE payments SET status = 'succeeded', failure_code = NULL, updated_at = now()
    WHERE id = ${payment.id}::uuid`.execute(tx);
  const row = await pricedRow(tx, payment.row_id, true);
  // The move is made from a state that allows it; a row elsewhere keeps its state.
  const from: readonly (string | null)[] = ["due"];
  if (row !== null && from.includes(row.paid)) {
    await sql`UPDATE ${sql.table(TABLE)} SET state = ${"paid"}, updated_at = now()
      WHERE id = ${payment.row_id}::uuid`.execute(tx);
  }
  await record(tx, "payment_succeeded", {
    actor: null,
    entity: ENTITY,
    entityId: payment.row_id,
    fields: ["state"],
  });
}

/** Applies a verified event in the transaction `tx`; whether it was new. */
export async function handle(tx: Db, event: Record<string, unknown>): Promise<boolean> {
  const kind = typeof event.type === "string" ? event.type : "";
  const stored = await sql`
    INSERT INTO stripe_events (id, type) VALUES (${String(event.id).slice(0, 255)}, ${kind.slice(0, 128)})
    ON CONFLICT DO NOTHING RETURNING id`.execute(tx);
  if (stored.rows.length === 0) {
    return false;
  }
  const data = (event.data ?? {}) as { object?: Record<string, unknown> };
  const object = data.object ?? {};
  if (SUCCEEDED.has(kind)) {
    if (kind === "checkout.session.completed" && object.payment_status !== "paid") {
      return true;
    }
    const payment = await paymentOf(tx, object.id);
    if (payment !== null) {
      await markPaid(tx, payment);
    }
  } else if (kind === FAILED) {
    const payment = (await paymentOf(tx, object.id)) ?? (await paymentOfRow(tx, object));
    if (payment !== null && payment.status !== "succeeded") {
      const error = (object.last_payment_error ?? {}) as { code?: unknown };
      const code = typeof error.code === "string" && error.code !== "" ? error.code : "unknown";
      await sql`UPDATE payments SET status = 'failed', failure_code = ${code.slice(0, 64)},
        updated_at = now() WHERE id = ${payment.id}::uuid`.execute(tx);
      await record(tx, "payment_failed", { actor: null, entity: ENTITY, entityId: payment.row_id });
    }
  } else if (kind === REFUNDED) {
    const payment =
      (await paymentOf(tx, object.payment_intent)) ?? (await paymentOfRow(tx, object));
    if (payment !== null) {
      const refunded = Number(object.amount_refunded ?? 0) || 0;
      const status = refunded >= Number(payment.amount) ? "refunded" : "partially_refunded";
      await sql`UPDATE payments SET amount_refunded = ${refunded}, status = ${status},
        updated_at = now() WHERE id = ${payment.id}::uuid`.execute(tx);
      await record(tx, "payment_refunded", {
        actor: null,
        entity: ENTITY,
        entityId: payment.row_id,
      });
    }
  }
  return true;
}

/** Adds the payment route and the webhook. */
export function install(app: FastifyInstance, env: NodeJS.ProcessEnv = process.env): void {
  const entity = entityNamed(ENTITY);
  const keyring = new Keyring(app.config.encryptionKeys, app.config.secretKey);
  const unavailable = new Problem(502, "The payment provider did not answer; try again later.");

  // Creates or reuses the payment of a row the caller may read.
  const paymentPath = `${BASE_PATH}/repayments/:id/payment`;
  app.post(paymentPath, async (request: FastifyRequest) => {
    const actor = authorize(entity, "read", await optionalPrincipal(request));
    const rowId = (request.params as { id?: string }).id ?? "";
    if (!isUuid(rowId)) {
      throw invalid({ id: "must be a UUID" });
    }
    const ctx = { db: app.db, keyring, secret: app.config.secretKey, requestId: request.id };
    // 404 for a row the caller may not read, as reading it would be.
    await crud.findOne(ctx, entity, actor, rowId);
    const row = await pricedRow(app.db, rowId);
    if (row === null) {
      throw new Problem(404, "No such resource.");
    }
    if (isPaid(row)) {
      throw new Problem(409, "This record is already paid.");
    }
    // Payment moves the row only from these values: paid elsewhere, it would move nothing.
    const payableFrom: readonly (string | null)[] = ["due"];
    if (!payableFrom.includes(row.paid)) {
      const message = `must be one of ${payableFrom.join(", ")} before the row can be paid`;
      throw new Problem(409, "This record cannot be paid in its current state.", {
        state: message,
      });
    }
    const { amount, currency } = price(row);
    const settings = stripeSettings(env);
    const stripe = client(settings);
    const key = idempotencyKey(rowId, amount, currency);
    try {
      const existing = await sql<{ stripe_id: string }>`
        SELECT stripe_id FROM payments WHERE idempotency_key = ${key}`.execute(app.db);
      const known = existing.rows[0];
      if (known !== undefined) {
        return answer(await retrieve(stripe, known.stripe_id));
      }
      const made = await create(stripe, rowId, amount, currency, key);
      await app.db.transaction().execute(async (tx) => {
        const inserted = await sql`
          INSERT INTO payments (id, entity, row_id, amount, currency, idempotency_key, stripe_id, status)
          VALUES (${randomUUID()}::uuid, ${ENTITY}, ${rowId}::uuid, ${amount}, ${currency}, ${key},
            ${made.id}, ${String(made.status)})
          ON CONFLICT DO NOTHING RETURNING id`.execute(tx);
        if (inserted.rows.length > 0) {
          await record(tx, "payment_started", {
            actor: actor.principal,
            entity: ENTITY,
            entityId: rowId,
            requestId: request.id,
          });
        }
      });
      return answer(made);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError) {
        // Retried by the SDK already; the reason is logged, never the card.
        request.log.warn({ kind: error.type }, "stripe refused the payment");
        throw unavailable;
      }
      throw error;
    }
  });

  // Verifies and applies one Stripe event; a replay is acknowledged and changes nothing.
  void app.register((scope, _options, done) => {
    // The signature is over the body as sent: it is kept as text.
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, next) => {
      next(null, body);
    });
    scope.post(`${BASE_PATH}/webhooks/stripe`, async (request) => {
      const secret = stripeSettings(env).STRIPE_WEBHOOK_SECRET;
      const signature = request.headers["stripe-signature"];
      const refused = new Problem(400, "The Stripe-Signature header is missing or wrong.");
      if (secret === "" || typeof signature !== "string" || typeof request.body !== "string") {
        throw refused;
      }
      let event: Record<string, unknown>;
      try {
        const verifier = new Stripe("sk_webhook_verification_only");
        const verified = verifier.webhooks.constructEvent(
          request.body,
          signature,
          secret,
          SIGNATURE_TOLERANCE,
        );
        event = verified as unknown as Record<string, unknown>;
      } catch {
        throw refused;
      }
      if (typeof event.id !== "string") {
        throw refused;
      }
      const fresh = await app.db.transaction().execute((tx) => handle(tx, event));
      if (fresh) {
        request.log.info({ kind: event.type }, "stripe event applied");
      }
      return { received: true, replay: !fresh };
    });
    done();
  });
}
