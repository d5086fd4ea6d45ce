/**
 * The `stripe` integration, against stripe-mock and signed webhook events.
 *
 * stripe-mock (Stripe's own fake of its API, from the Go module proxy)
 * plays Stripe for the API calls: `STRIPE_MOCK` names its program, else one
 * on the PATH, else the copy in `~/.cache/stripe-mock/v0.203.0` (archgen's
 * scripts/setup builds it; so does `go install
 * github.com/stripe/stripe-mock@v0.203.0` with GOBIN there). Webhook payloads
 * are signed here with Stripe's scheme (the SDK's test header), as Stripe
 * signs them.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import Stripe from "stripe";
import { BASE_PATH } from "../src/base.js";
import { entityNamed } from "../src/entities/model.js";
import { ENTITY, idempotencyKey, SIGNATURE_TOLERANCE } from "../src/integrations/stripe.js";
import { ADMIN_ROLES } from "../src/security/principal.js";
import { testApp } from "./helpers.js";
import { type Caller, createRow, emptyEntityTables, send, signIn } from "./rows.js";
import { freePort } from "./servers.js";

const STRIPE_MOCK_VERSION = "v0.203.0";
const WEBHOOK_SECRET = "whsec_test_secret_for_the_suite";
const AMOUNT = 4200;
const TABLE = "repayments";
const signer = new Stripe("sk_test_signing_only");

/** stripe-mock's path: `STRIPE_MOCK`, the PATH, or the cached build. */
function stripeMockProgram(): string {
  const named = process.env.STRIPE_MOCK;
  if (named !== undefined && named !== "") {
    return named;
  }
  if (spawnSync("stripe-mock", ["-version"], { stdio: "ignore" }).error === undefined) {
    return "stripe-mock";
  }
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  const program = join(cache, "stripe-mock", STRIPE_MOCK_VERSION, "stripe-mock");
  if (!existsSync(program)) {
    throw new Error(
      `stripe-mock is needed: go install github.com/stripe/stripe-mock@${STRIPE_MOCK_VERSION} ` +
        "and set STRIPE_MOCK to the program",
    );
  }
  return program;
}

/** A stripe-mock of the suite's own on a free loopback port: its URL. */
async function startStripeMock(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(stripeMockProgram(), ["-http-port", String(port)], { stdio: "ignore" });
  const url = `http://127.0.0.1:${String(port)}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(`${url}/v1/balance`, { headers: { authorization: "Bearer sk_test_123" } });
      return { url, child };
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** An event of `kind` about `object`, as Stripe sends it. */
const event = (kind: string, object: object, id = `evt_${randomUUID()}`): string =>
  JSON.stringify({ id, object: "event", type: kind, data: { object } });

describe.skipIf(ADMIN_ROLES.length === 0)("payments through Stripe", () => {
  let mock: Awaited<ReturnType<typeof startStripeMock>>;
  let app: FastifyInstance;
  let admin: Caller;
  const entity = entityNamed(ENTITY);
  const saved = new Map<string, string | undefined>();
  const settings = (url: string) => ({
    STRIPE_SECRET_KEY: "sk_test_123",
    STRIPE_API_BASE: url,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_MAX_NETWORK_RETRIES: "1",
  });

  beforeAll(async () => {
    mock = await startStripeMock();
    for (const [name, value] of Object.entries(settings(mock.url))) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    app = await testApp();
    await emptyEntityTables(app);
    admin = await signIn(app, ADMIN_ROLES[0] ?? "");
  });
  beforeEach(async () => {
    await sql`DELETE FROM payments`.execute(app.db);
  });
  afterAll(async () => {
    await app.close();
    mock.child.kill("SIGTERM");
    for (const [name, value] of saved) {
      if (value === undefined) {
        Reflect.deleteProperty(process.env, name);
      } else {
        process.env[name] = value;
      }
    }
  });

  /** A row with a price, ready to be paid: its id. */
  const payable = async (): Promise<string> => {
    const id = await createRow(app, admin, entity);
    await sql`UPDATE ${sql.table(TABLE)} SET amount_cents = ${AMOUNT}, state = ${"due"}
      WHERE id = ${id}::uuid`.execute(app.db);
    return id;
  };

  const isPaid = async (id: string): Promise<boolean> => {
    const found = await sql<{ paid: unknown }>`
      SELECT state AS paid FROM ${sql.table(TABLE)} WHERE id = ${id}::uuid`.execute(app.db);
    return found.rows[0]?.paid === "paid";
  };

  const payments = async () =>
    (
      await sql<{ amount: string; currency: string; idempotency_key: string; status: string }>`
        SELECT amount, currency, idempotency_key, status, failure_code, amount_refunded
        FROM payments`.execute(app.db)
    ).rows;

  const audited = async (action: string, id: string): Promise<number> =>
    (
      await sql`SELECT 1 FROM audit_events WHERE action = ${action} AND entity_id = ${id}`.execute(
        app.db,
      )
    ).rows.length;

  /** Posts an event signed as Stripe signs it (at `at`, in seconds). */
  const deliver = (payload: string, at = Math.floor(Date.now() / 1000), secret = WEBHOOK_SECRET) =>
    app.inject({
      method: "POST",
      url: `${BASE_PATH}/webhooks/stripe`,
      payload,
      headers: {
        "content-type": "application/json",
        "stripe-signature": signer.webhooks.generateTestHeaderString({
          payload,
          secret,
          timestamp: at,
        }),
      },
    });

  /** The payment route of a row, as `caller` (a visitor when `null`). */
  const payFor = (caller: Caller | null, id: string) =>
    send(app, caller, "POST", `/repayments/${id}/payment`);

  /** A row and the Stripe id of its payment. */
  const pay = async (): Promise<[string, string]> => {
    const id = await payable();
    const response = await payFor(admin, id);
    expect(response.statusCode, response.body).toBe(200);
    return [id, response.json<{ payment_id: string }>().payment_id];
  };

  /** Stripe's object of a succeeded payment. */
  const succeeded = (paymentId: string, id: string) => ({
    id: paymentId,
    object: "payment_intent",
    status: "succeeded",
    metadata: { entity: ENTITY, row_id: id },
  });
  const SUCCEEDED = "payment_intent.succeeded";

  it("creates the payment, then reuses it with the same key", async () => {
    const id = await payable();
    const first = await payFor(admin, id);
    expect(first.statusCode, first.body).toBe(200);
    const body = first.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(["payment_id", "client_secret", "status"].sort());
    const again = await payFor(admin, id);
    expect(again.statusCode).toBe(200);
    expect(again.json<Record<string, unknown>>().payment_id).toBe(body.payment_id);
    const stored = await payments();
    expect(stored).toHaveLength(1);
    expect(Number(stored[0]?.amount)).toBe(AMOUNT);
    expect(stored[0]?.idempotency_key).toBe(idempotencyKey(id, AMOUNT, stored[0]?.currency ?? ""));
    expect(await audited("payment_started", id)).toBe(1);
    expect(await isPaid(id)).toBe(false);
  });

  it("answers 401 to a visitor and 404 for a row nobody has", async () => {
    const id = await payable();
    expect((await payFor(null, id)).statusCode).toBe(401);
    const missing = await payFor(admin, randomUUID());
    expect(missing.statusCode).toBe(404);
    expect(await payments()).toEqual([]);
  });

  it("answers 409 for a row payment does not move", async () => {
    const id = await payable();
    const elsewhere = "scheduled";
    await sql`UPDATE ${sql.table(TABLE)} SET state = ${elsewhere}
      WHERE id = ${id}::uuid`.execute(app.db);
    const refused = await payFor(admin, id);
    expect(refused.statusCode).toBe(409);
    const errors = refused.json<{ errors: Record<string, string> }>().errors;
    const field = "state";
    expect(Object.hasOwn(errors, field)).toBe(true);
    expect(await payments()).toEqual([]);
  });

  it("refuses a bad or missing signature with 400", async () => {
    const payload = event(SUCCEEDED, { id: "x" });
    expect((await deliver(payload, undefined, "whsec_wrong")).statusCode).toBe(400);
    const unsigned = await app.inject({
      method: "POST",
      url: `${BASE_PATH}/webhooks/stripe`,
      payload,
      headers: { "content-type": "application/json" },
    });
    expect(unsigned.statusCode).toBe(400);
    const forged = await app.inject({
      method: "POST",
      url: `${BASE_PATH}/webhooks/stripe`,
      payload,
      headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=00" },
    });
    expect(forged.statusCode).toBe(400);
  });

  it("refuses a stale timestamp with 400", async () => {
    const [id, paymentId] = await pay();
    const stale = Math.floor(Date.now() / 1000) - SIGNATURE_TOLERANCE - 60;
    expect((await deliver(event(SUCCEEDED, succeeded(paymentId, id)), stale)).statusCode).toBe(400);
    expect(await isPaid(id)).toBe(false);
  });

  it("marks the row paid once; a replay does nothing", async () => {
    const [id, paymentId] = await pay();
    const payload = event(SUCCEEDED, succeeded(paymentId, id));
    const first = await deliver(payload);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ received: true, replay: false });
    expect(await isPaid(id)).toBe(true);
    expect((await payments())[0]?.status).toBe("succeeded");
    const replay = await deliver(payload);
    expect(replay.json()).toEqual({ received: true, replay: true });
    // Stripe may send the same news again under another event id.
    expect((await deliver(event(SUCCEEDED, succeeded(paymentId, id)))).statusCode).toBe(200);
    expect(await audited("payment_succeeded", id)).toBe(1);
    expect((await payFor(admin, id)).statusCode).toBe(409);
  });

  it("changes the row once for two deliveries of one event at once", async () => {
    const [id, paymentId] = await pay();
    const payload = event(SUCCEEDED, succeeded(paymentId, id));
    const answers = await Promise.all([deliver(payload), deliver(payload)]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    expect(answers.map((a) => a.json<{ replay: boolean }>().replay).sort()).toEqual([false, true]);
    expect(await audited("payment_succeeded", id)).toBe(1);
  });

  it("records a failure and a refund", async () => {
    const [id, paymentId] = await pay();
    const failed = {
      id: paymentId,
      object: "payment_intent",
      status: "requires_payment_method",
      last_payment_error: { code: "card_declined" },
      metadata: { entity: ENTITY, row_id: id },
    };
    expect((await deliver(event("payment_intent.payment_failed", failed))).statusCode).toBe(200);
    expect((await payments())[0]).toMatchObject({
      status: "failed",
      failure_code: "card_declined",
    });
    expect(await isPaid(id)).toBe(false);
    await deliver(event(SUCCEEDED, succeeded(paymentId, id)));
    const refund = {
      id: `ch_${randomUUID()}`,
      object: "charge",
      payment_intent: paymentId,
      amount_refunded: AMOUNT,
      metadata: { entity: ENTITY, row_id: id },
    };
    expect((await deliver(event("charge.refunded", refund))).statusCode).toBe(200);
    expect((await payments())[0]).toMatchObject({ status: "refunded" });
    expect(await audited("payment_refunded", id)).toBe(1);
  });

  it("answers 502 when Stripe cannot be reached, after a bounded number of tries", async () => {
    const id = await payable();
    // The settings are read at each request: point the app at nothing.
    process.env.STRIPE_API_BASE = `http://127.0.0.1:${String(await freePort())}`;
    try {
      const response = await payFor(admin, id);
      expect(response.statusCode).toBe(502);
      expect(response.headers["content-type"]).toContain("application/problem+json");
      expect(await payments()).toEqual([]);
    } finally {
      process.env.STRIPE_API_BASE = mock.url;
    }
  });
});
