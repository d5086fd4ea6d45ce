/**
 * The audit log: who did what to which record, when, and in which request.
 *
 * Events name users by id only (never by email or name) and changes by
 * field name only (never by value), so erasing an account pseudonymizes its
 * events. An event is written with the same connection (or transaction) as
 * the change it records. The table is append-only: a trigger in the
 * migration refuses UPDATE, DELETE and TRUNCATE.
 */
import { randomUUID } from "node:crypto";
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "./database.js";

/** Who an event is about: a user's id and role, or nobody (a visitor, a command). */
export interface AuditActor {
  readonly userId: string;
  readonly role: string;
}

/** What an event records besides its action. */
export interface AuditEvent {
  readonly actor: AuditActor | null;
  readonly entity?: string;
  readonly entityId?: string;
  readonly fields?: readonly string[];
  readonly requestId?: string;
}

/** The row an event is stored as. */
function row(action: string, event: AuditEvent) {
  return {
    id: randomUUID(),
    actor_id: event.actor?.userId ?? null,
    actor_role: event.actor?.role ?? null,
    action,
    entity: event.entity ?? null,
    entity_id: event.entityId ?? null,
    fields: event.fields === undefined ? null : JSON.stringify([...event.fields].sort()),
    request_id: event.requestId ?? null,
  };
}

/** Appends an event. */
export async function record(
  db: Kysely<Database>,
  action: string,
  event: AuditEvent,
): Promise<void> {
  await db.insertInto("audit_events").values(row(action, event)).execute();
}

/**
 * The INSERT of an event, for a statement that makes the change it records
 * (`WITH audit AS (…) …`): the change and its event are then one statement,
 * written or refused together.
 */
export function recordIn(action: string, event: AuditEvent): RawBuilder<unknown> {
  const r = row(action, event);
  return sql`
    INSERT INTO audit_events
      (id, actor_id, actor_role, action, entity, entity_id, fields, request_id)
    VALUES (${r.id}::uuid, ${r.actor_id}::uuid, ${r.actor_role}, ${r.action}, ${r.entity},
      ${r.entity_id}, ${r.fields}::jsonb, ${r.request_id})`;
}
