/**
 * Data-subject requests on the caller's own account: the export of
 * everything stored about it (GDPR Art. 15 and 20) and its erasure (Art. 17).
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { record } from "../audit.js";
import { BASE_PATH } from "../base.js";
import * as crud from "../entities/crud.js";
import { ENTITIES } from "../entities/model.js";
import { notFound, Problem } from "../problems.js";
import { Keyring } from "../security/crypto.js";
import { requirePrincipal } from "../security/principal.js";
import { CSRF_COOKIE, SESSION_COOKIE } from "../security/sessions.js";
import { emailKey } from "../services/auth.js";

const FOREIGN_KEY_VIOLATIONS = new Set(["23503", "23001"]);

/** Registers `GET <base>/me/export` and `DELETE <base>/me`. */
export function accountRoutes(app: FastifyInstance): void {
  const keyring = new Keyring(app.config.encryptionKeys, app.config.secretKey);

  // The caller's account and every row they own, decrypted, in the API's shapes.
  app.get(`${BASE_PATH}/me/export`, async (request) => {
    const principal = await requirePrincipal(request);
    const user = await app.db
      .selectFrom("auth_users")
      .select(["id", "email", "role", "created_at"])
      .where("id", "=", principal.userId)
      .executeTakeFirst();
    if (user === undefined) {
      throw notFound();
    }
    const context = { db: app.db, keyring, secret: app.config.secretKey, requestId: request.id };
    const data: Record<string, crud.Item[]> = {};
    for (const entity of ENTITIES) {
      if (entity.owner !== null) {
        data[entity.name] = await crud.ownedBy(context, entity, user.id);
      }
    }
    await record(app.db, "export", {
      actor: principal,
      entity: "account",
      entityId: user.id,
      requestId: request.id,
    });
    return {
      account: {
        user_id: user.id,
        email: user.email,
        role: user.role,
        created_at: user.created_at.toISOString(),
      },
      data,
    };
  });

  // Erases the account, its sessions, its failed sign-ins and every row it
  // owns, in one transaction. Audit events keep the bare user id, which
  // names nobody once the account row is gone. 409, with nothing erased,
  // while a `restrict` reference from a row of another user points at its data.
  app.delete(`${BASE_PATH}/me`, async (request, reply) => {
    const principal = await requirePrincipal(request);
    try {
      await app.db.transaction().execute(async (tx) => {
        await record(tx, "erasure", {
          actor: principal,
          entity: "account",
          entityId: principal.userId,
          requestId: request.id,
        });
        await tx
          .deleteFrom("auth_login_attempts")
          .where("email_key", "=", emailKey(principal.email))
          .execute();
        // Every mail to the address goes too: the outbox keeps no address of an erased account.
        await tx.deleteFrom("mail_outbox").where("recipient", "=", principal.email).execute();
        // Rows owned through a relation, and rows with a restrict link to owned
        // rows, go first: each before the rows it refers to, children before
        // parents, so a restrict link between two rows of the caller never
        // blocks the erasure (the account's cascade deletes in no set order).
        await sql`DELETE FROM ${sql.table("visit_notes")} WHERE owner_id = ${principal.userId}::uuid`.execute(
          tx,
        );
        await sql`DELETE FROM ${sql.table("appointments")} WHERE owner_id = ${principal.userId}::uuid`.execute(
          tx,
        );
        // Owned rows and sessions go with the account (ON DELETE CASCADE).
        await sql`DELETE FROM auth_users WHERE id = ${principal.userId}::uuid`.execute(tx);
      });
    } catch (error) {
      const code =
        typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
      if (typeof code === "string" && FOREIGN_KEY_VIOLATIONS.has(code)) {
        throw new Problem(
          409,
          "Your data cannot be erased: a record you do not own still refers to it.",
          { account: "referred to by another record" },
        );
      }
      throw error;
    }
    void reply.clearCookie(SESSION_COOKIE, { path: "/" });
    void reply.clearCookie(CSRF_COOKIE, { path: "/" });
    return reply.code(204).send();
  });
}
