/**
 * The outbox: every mail is a row first, written in the request's
 * transaction, and leaves through the worker (`make worker`), never from a
 * request.
 *
 * The worker claims one due row at a time with `SELECT … FOR UPDATE SKIP
 * LOCKED`, so any number of workers run side by side and no row is sent by
 * two of them. A row goes to the providers in the order the spec lists
 * them; the first that accepts it marks it sent. When every provider fails,
 * the row is tried again later, after an exponential backoff with jitter,
 * and after `MAX_ATTEMPTS` tries it is recorded as `failed` (with the last
 * error, never the address): it stays in the table, nothing is lost. Logs
 * name a row by its id, never by its address.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db.js";
import type { Mail } from "./templates.js";

/** How often one mail is tried before it is recorded as failed. */
export const MAX_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 3_600_000;

/** A row's states. */
export const PENDING = "pending";
export const SENT = "sent";
export const FAILED = "failed";

/** One mail on its way: the row's id (providers use it to deduplicate), sender, recipient, mail. */
export interface Message extends Mail {
  readonly id: string;
  readonly from: string;
  readonly to: string;
}

/** A provider did not take the mail; the message never holds the address. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
}

/** A way out for mail: SMTP, SendGrid. */
export interface Provider {
  readonly name: string;
  /** Whether its settings are present; an unconfigured provider is skipped. */
  configured(): boolean;
  /** Hands the mail over, or throws a {@link DeliveryError}. */
  send(message: Message): Promise<void>;
}

/** Adds a mail to the outbox in `tx`: it leaves only if the transaction commits. */
export async function enqueue(tx: Db, to: string, mail: Mail): Promise<string> {
  const id = randomUUID();
  await tx
    .insertInto("mail_outbox")
    .values({
      id,
      recipient: to,
      subject: mail.subject,
      body_text: mail.text,
      body_html: mail.html,
      status: PENDING,
      attempts: 0,
      next_attempt_at: new Date(),
    })
    .execute();
  return id;
}

/** The wait before try `attempts + 1`: exponential, capped, with jitter (half to all of it). */
export function backoffMs(attempts: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(attempts - 1, 0));
  return ceiling * (0.5 + Math.random() / 2);
}

/** How the worker sends: through these providers, from this sender. */
export interface Delivery {
  readonly providers: readonly Provider[];
  readonly from: string;
  readonly log?: FastifyBaseLogger;
}

/** Claims one due row and tries to send it; `false` when none is due. */
export async function deliverOne(db: Db, delivery: Delivery): Promise<boolean> {
  const { providers, from, log } = delivery;
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom("mail_outbox")
      .selectAll()
      .where("status", "=", PENDING)
      .where("next_attempt_at", "<=", new Date())
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (row === undefined) {
      return false;
    }
    const message: Message = {
      id: row.id,
      from,
      to: row.recipient,
      subject: row.subject,
      text: row.body_text,
      html: row.body_html,
    };
    const errors: string[] = [];
    for (const provider of providers) {
      if (!provider.configured()) {
        continue;
      }
      try {
        await provider.send(message);
      } catch (error) {
        if (!(error instanceof DeliveryError)) {
          throw error;
        }
        errors.push(`${provider.name}: ${error.message}`);
        log?.warn({ mail: row.id, provider: provider.name, reason: error.message }, "send failed");
        continue;
      }
      await tx
        .updateTable("mail_outbox")
        .set({
          status: SENT,
          provider: provider.name,
          sent_at: new Date(),
          attempts: row.attempts + 1,
          last_error: null,
          updated_at: new Date(),
        })
        .where("id", "=", row.id)
        .execute();
      log?.info({ mail: row.id, provider: provider.name }, "mail sent");
      return true;
    }
    const attempts = row.attempts + 1;
    const lastError = (errors.join("; ") || "no provider is configured").slice(0, 1000);
    const failed = attempts >= MAX_ATTEMPTS;
    await tx
      .updateTable("mail_outbox")
      .set({
        attempts,
        last_error: lastError,
        updated_at: new Date(),
        ...(failed
          ? { status: FAILED }
          : { next_attempt_at: new Date(Date.now() + backoffMs(attempts)) }),
      })
      .where("id", "=", row.id)
      .execute();
    if (failed) {
      log?.error({ mail: row.id, attempts, reason: lastError }, "mail failed for good");
    } else {
      log?.warn({ mail: row.id, attempts }, "mail not sent; tried again later");
    }
    return true;
  });
}

/** Sends every due row; the number of rows handled. */
export async function drain(db: Db, delivery: Delivery): Promise<number> {
  let handled = 0;
  while (await deliverOne(db, delivery)) {
    handled += 1;
  }
  return handled;
}
