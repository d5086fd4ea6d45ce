/** Sign-up, sign-in, sign-out and the current account (`<base>/auth/…`). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { BASE_PATH } from "../base.js";
import { clientAddress } from "../client.js";
import { record } from "../audit.js";
import { alreadyRegistered, passwordReset, verification } from "../mail/templates.js";
import { enqueue } from "../mail/outbox.js";
import { consume, issue, revokeAll } from "../mail/tokens.js";
import { forbidden, invalid, Problem, unauthorized } from "../problems.js";
import { hashPassword, policyError } from "../security/passwords.js";
import { optionalPrincipal, requirePrincipal } from "../security/principal.js";
import {
  ABSOLUTE_TIMEOUT_MS,
  CSRF_COOKIE,
  revokeAllSessions,
  revokeSession,
  SESSION_COOKIE,
  startSession,
} from "../security/sessions.js";
import { authenticate, LockedOut } from "../services/auth.js";
import {
  type Account,
  AccountError,
  createUser,
  findByEmail,
  isUniqueViolation,
  SIGNUP_ROLES,
} from "../services/users.js";

/** One message for an unknown email and a wrong password. */
export const BAD_CREDENTIALS = "The email or password is wrong.";

const RegisterIn = z.strictObject({
  email: z.email().max(255),
  password: z.string().max(1024),
  role: z.string().max(64).nullish(),
});

const TokenIn = z.strictObject({ token: z.string().min(1).max(128) });

const PasswordResetIn = z.strictObject({ email: z.email().max(255) });

const PasswordResetConfirmIn = z.strictObject({
  token: z.string().min(1).max(128),
  password: z.string().max(1024),
});

/** What a mailed link's token that does not work is told. */
const BAD_TOKEN = { token: "is unknown, used or expired" };

const LoginIn = z.strictObject({
  email: z.string().max(255),
  password: z.string().max(1024),
});

/**
 * Starts a session for `account` as every sign-in does: the session row and
 * the `login` audit event in one transaction, then the `session` cookie (a
 * script cannot read it) and the `csrf_token` cookie (it can); the CSRF
 * token.
 */
export async function startSignedInSession(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  account: { readonly id: string; readonly role: string },
): Promise<string> {
  const started = await app.db.transaction().execute(async (tx) => {
    const session = await startSession(tx, account.id);
    await record(tx, "login", {
      actor: { userId: account.id, role: account.role },
      requestId: request.id,
    });
    return session;
  });
  const cookie = {
    maxAge: ABSOLUTE_TIMEOUT_MS / 1000,
    path: "/",
    secure: app.config.cookieSecure,
    sameSite: "lax",
  } as const;
  void reply.setCookie(SESSION_COOKIE, started.token, { ...cookie, httpOnly: true });
  void reply.setCookie(CSRF_COOKIE, started.csrfToken, { ...cookie, httpOnly: false });
  return started.csrfToken;
}

/** The routes of signing up and in. */
export function authRoutes(app: FastifyInstance): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const prefix = `${BASE_PATH}/auth`;

  /** The link a mail carries: the app's base URL, the page and the token. */
  const link = (page: string, token: string): string =>
    `${app.config.appBaseUrl.replace(/\/+$/, "")}/${page}?token=${token}`;

  /** Mails a taken address a notice with a reset link, in `tx`. */
  const mailAlreadyRegistered = async (tx: typeof app.db, user: Account): Promise<void> => {
    const token = await issue(tx, user.id, "reset");
    await enqueue(tx, user.email, alreadyRegistered(link("reset-password", token)));
  };

  // Creates an account in a signup role and mails a verification link; for a
  // taken email, mails a notice instead. The answer is the same either way.
  routes.post(`${prefix}/register`, { schema: { body: RegisterIn } }, async (request, reply) => {
    const role = request.body.role ?? SIGNUP_ROLES[0];
    if (role === undefined) {
      throw forbidden("Sign-up is closed; an administrator creates accounts.");
    }
    if (!SIGNUP_ROLES.includes(role)) {
      throw invalid({ role: `must be one of: ${SIGNUP_ROLES.join(", ")}` });
    }
    const { email, password } = request.body;
    try {
      await app.db.transaction().execute(async (tx) => {
        const existing = await findByEmail(tx, email);
        if (existing !== null) {
          await mailAlreadyRegistered(tx, existing);
          return;
        }
        const created = await createUser(tx, email, password, role);
        await record(tx, "register", {
          actor: { userId: created.id, role: created.role },
          entity: "account",
          entityId: created.id,
          requestId: request.id,
        });
        const token = await issue(tx, created.id, "verify");
        await enqueue(tx, created.email, verification(link("verify-email", token)));
      });
    } catch (error) {
      if (error instanceof AccountError) {
        throw invalid(error.errors);
      }
      if (!isUniqueViolation(error)) {
        throw error;
      }
      // Registered at the same moment by another request: answered the same.
      await app.db.transaction().execute(async (tx) => {
        const existing = await findByEmail(tx, email);
        if (existing !== null) {
          await mailAlreadyRegistered(tx, existing);
        }
      });
    }
    return reply.code(202).send({});
  });

  // Marks the address verified; the token works once, before it expires.
  routes.post(`${prefix}/verify-email`, { schema: { body: TokenIn } }, async (request, reply) => {
    const verified = await app.db.transaction().execute(async (tx) => {
      const userId = await consume(tx, request.body.token, "verify");
      if (userId !== null) {
        await tx
          .updateTable("auth_users")
          .set({ email_verified: true })
          .where("id", "=", userId)
          .execute();
      }
      return userId !== null;
    });
    if (!verified) {
      throw invalid(BAD_TOKEN);
    }
    return reply.code(204).send();
  });

  // Mails a reset link to a registered address; answers the same for any address.
  routes.post(
    `${prefix}/password-reset`,
    { schema: { body: PasswordResetIn } },
    async (request, reply) => {
      await app.db.transaction().execute(async (tx) => {
        const user = await findByEmail(tx, request.body.email);
        if (user !== null) {
          const token = await issue(tx, user.id, "reset");
          await enqueue(tx, user.email, passwordReset(link("reset-password", token)));
        }
      });
      return reply.code(202).send({});
    },
  );

  // Sets a new password and revokes every session of the account.
  routes.post(
    `${prefix}/password-reset/confirm`,
    { schema: { body: PasswordResetConfirmIn } },
    async (request, reply) => {
      const { token, password } = request.body;
      // A refused password leaves the token usable: nothing is committed.
      await app.db.transaction().execute(async (tx) => {
        const userId = await consume(tx, token, "reset");
        const user =
          userId === null
            ? undefined
            : await tx
                .selectFrom("auth_users")
                .select(["id", "email"])
                .where("id", "=", userId)
                .executeTakeFirst();
        if (user === undefined) {
          throw invalid(BAD_TOKEN);
        }
        const reason = policyError(password, user.email);
        if (reason !== null) {
          throw invalid({ password: reason });
        }
        await tx
          .updateTable("auth_users")
          // Following the link proves the address too.
          .set({ password_hash: await hashPassword(password), email_verified: true })
          .where("id", "=", user.id)
          .execute();
        await revokeAll(tx, user.id, "reset");
        await revokeAllSessions(tx, user.id);
      });
      return reply.code(204).send();
    },
  );

  // Starts a session: sets the `session` and `csrf_token` cookies.
  routes.post(`${prefix}/login`, { schema: { body: LoginIn } }, async (request, reply) => {
    let user;
    try {
      user = await authenticate(app.db, {
        email: request.body.email,
        password: request.body.password,
        address: clientAddress(request, app.trustedProxies),
        secretKey: app.config.secretKey,
        requestId: request.id,
      });
    } catch (error) {
      if (error instanceof LockedOut) {
        throw new Problem(429, "Too many failed sign-ins; try again later.", undefined, {
          "retry-after": String(error.retryAfter),
        });
      }
      throw error;
    }
    if (user === null) {
      throw unauthorized(BAD_CREDENTIALS);
    }
    const csrfToken = await startSignedInSession(app, request, reply, user);
    return { user_id: user.id, email: user.email, role: user.role, csrf_token: csrfToken };
  });

  // Revokes the session on the server and clears the cookies.
  routes.post(`${prefix}/logout`, async (request, reply) => {
    const principal = await optionalPrincipal(request);
    const token = request.cookies[SESSION_COOKIE];
    if (principal !== null && token !== undefined) {
      await record(app.db, "logout", {
        actor: { userId: principal.userId, role: principal.role },
        requestId: request.id,
      });
      await revokeSession(app.db, token);
    }
    void reply.clearCookie(SESSION_COOKIE, { path: "/" });
    void reply.clearCookie(CSRF_COOKIE, { path: "/" });
    return reply.code(204).send();
  });

  // The signed-in account, and whether its address is verified.
  routes.get(`${prefix}/me`, async (request) => {
    const principal = await requirePrincipal(request);
    const account = await app.db
      .selectFrom("auth_users")
      .select("email_verified")
      .where("id", "=", principal.userId)
      .executeTakeFirst();
    return {
      user_id: principal.userId,
      email: principal.email,
      role: principal.role,
      email_verified: account?.email_verified ?? false,
    };
  });
}
