/** Operator endpoints, for admin roles only: the accounts and the audit log. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sql } from "kysely";
import { BASE_PATH } from "../base.js";
import { listQuery } from "../entities/crud.js";
import { decodeCursor, encodeCursor } from "../entities/cursors.js";
import { AUDIT_ACTIONS } from "../entities/model.js";
import { isUuid } from "../entities/values.js";
import { forbidden, invalid } from "../problems.js";
import { isAdmin, type Principal, requirePrincipal } from "../security/principal.js";
import { ROLES } from "../services/users.js";

/** The caller, when it holds an admin role (401 without a session, 403 otherwise). */
async function requireAdmin(request: FastifyRequest): Promise<Principal> {
  const principal = await requirePrincipal(request);
  if (!isAdmin(principal)) {
    throw forbidden("Only administrators may do this.");
  }
  return principal;
}

/** Registers `GET <base>/admin/users` and `GET <base>/admin/audit-events`. */
export function adminRoutes(app: FastifyInstance): void {
  const secret = app.config.secretKey;

  // Accounts by when they were made, filtered by `email` and `role`, so an
  // operator can find a user id.
  app.get(`${BASE_PATH}/admin/users`, async (request) => {
    await requireAdmin(request);
    const query = listQuery(request.query as Record<string, unknown>);
    const errors: Record<string, string> = {};
    if (query.sort !== "created_at") {
      errors.sort = "must be one of: created_at";
    }
    const where = [sql`true`];
    for (const [name, value] of query.filters) {
      if (name === "email") {
        where.push(sql`email = ${value.trim().toLowerCase()}`);
      } else if (name === "role") {
        if (ROLES.includes(value)) {
          where.push(sql`role = ${value}`);
        } else {
          errors.role = `must be one of: ${ROLES.join(", ")}`;
        }
      } else {
        errors[name] = "is not a field lists can be filtered by";
      }
    }
    if (Object.keys(errors).length > 0) {
      throw invalid(errors);
    }
    if (query.cursor !== null) {
      const after = decodeCursor(secret, query.sort, query.cursor);
      where.push(sql`(created_at, id) > (${after.value ?? ""}::timestamptz, ${after.id}::uuid)`);
    }
    const rows = await sql<{
      id: string;
      email: string;
      role: string;
      created_at: Date;
      at: string;
    }>`
      SELECT id::text AS id, email, role, created_at, created_at::text AS at FROM auth_users
      WHERE ${sql.join(where, sql` AND `)}
      ORDER BY created_at, id
      LIMIT ${query.limit + 1}`.execute(app.db);
    const page = rows.rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((u) => ({
        user_id: u.id,
        email: u.email,
        role: u.role,
        created_at: u.created_at.toISOString(),
      })),
      next_cursor:
        rows.rows.length > query.limit && last !== undefined
          ? encodeCursor(secret, query.sort, { value: last.at, id: last.id })
          : null,
    };
  });

  // The audit log in the order events happened, filtered by `actor` (a user
  // id) and `action`.
  app.get(`${BASE_PATH}/admin/audit-events`, async (request) => {
    await requireAdmin(request);
    const query = listQuery(request.query as Record<string, unknown>);
    const errors: Record<string, string> = {};
    const where = [sql`true`];
    for (const [name, value] of query.filters) {
      if (name === "actor") {
        if (isUuid(value)) {
          where.push(sql`actor_id = ${value}::uuid`);
        } else {
          errors.actor = "must be a UUID";
        }
      } else if (name === "action") {
        if (AUDIT_ACTIONS.includes(value)) {
          where.push(sql`action = ${value}`);
        } else {
          errors.action = `must be one of: ${AUDIT_ACTIONS.join(", ")}`;
        }
      } else {
        errors[name] = "is not a field lists can be filtered by";
      }
    }
    if (Object.keys(errors).length > 0) {
      throw invalid(errors);
    }
    if (query.cursor !== null) {
      const after = decodeCursor(secret, "seq", query.cursor);
      where.push(sql`seq > ${after.value ?? "0"}::bigint`);
    }
    const rows = await sql<{
      id: string;
      seq: string;
      at: Date;
      actor_id: string | null;
      actor_role: string | null;
      action: string;
      entity: string | null;
      entity_id: string | null;
      fields: unknown;
      request_id: string | null;
    }>`
      SELECT id::text AS id, seq::text AS seq, at, actor_id::text AS actor_id, actor_role,
             action, entity, entity_id::text AS entity_id, fields, request_id
      FROM audit_events
      WHERE ${sql.join(where, sql` AND `)}
      ORDER BY seq
      LIMIT ${query.limit + 1}`.execute(app.db);
    const page = rows.rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((event) => ({
        id: event.id,
        at: event.at.toISOString(),
        actor_id: event.actor_id,
        actor_role: event.actor_role,
        action: event.action,
        entity: event.entity,
        entity_id: event.entity_id,
        fields: event.fields,
        request_id: event.request_id,
      })),
      next_cursor:
        rows.rows.length > query.limit && last !== undefined
          ? encodeCursor(secret, "seq", { value: last.seq, id: last.id })
          : null,
    };
  });
}
