/** Sign-up, sign-in, sign-out and the current account (`<base>/auth/…`). */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { BASE_PATH } from "../base.js";
import { clientAddress } from "../client.js";
import { record } from "../audit.js";
import { forbidden, invalid, Problem, unauthorized } from "../problems.js";
import { optionalPrincipal, requirePrincipal } from "../security/principal.js";
import {
  ABSOLUTE_TIMEOUT_MS,
  CSRF_COOKIE,
  revokeSession,
  SESSION_COOKIE,
  startSession,
} from "../security/sessions.js";
import { authenticate, LockedOut } from "../services/auth.js";
import { AccountError, createUser, isUniqueViolation, SIGNUP_ROLES } from "../services/users.js";

/** One message for an unknown email and a wrong password. */
export const BAD_CREDENTIALS = "The email or password is wrong.";

const RegisterIn = z.strictObject({
  email: z.email().max(255),
  password: z.string().max(1024),
  role: z.string().max(64).nullish(),
});

const LoginIn = z.strictObject({
  email: z.string().max(255),
  password: z.string().max(1024),
});

/** The routes of signing up and in. */
export function authRoutes(app: FastifyInstance): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const prefix = `${BASE_PATH}/auth`;

  // Creates an account in a signup role (the first one unless `role` names another).
  routes.post(`${prefix}/register`, { schema: { body: RegisterIn } }, async (request, reply) => {
    const role = request.body.role ?? SIGNUP_ROLES[0];
    if (role === undefined) {
      throw forbidden("Sign-up is closed; an administrator creates accounts.");
    }
    if (!SIGNUP_ROLES.includes(role)) {
      throw invalid({ role: `must be one of: ${SIGNUP_ROLES.join(", ")}` });
    }
    try {
      const user = await app.db.transaction().execute(async (tx) => {
        const created = await createUser(tx, request.body.email, request.body.password, role);
        await record(tx, "register", {
          actor: { userId: created.id, role: created.role },
          entity: "account",
          entityId: created.id,
          requestId: request.id,
        });
        return created;
      });
      return await reply.code(201).send({ user_id: user.id, email: user.email, role: user.role });
    } catch (error) {
      if (error instanceof AccountError) {
        throw invalid(error.errors);
      }
      if (isUniqueViolation(error)) {
        throw new Problem(409, "This email is already registered.", {
          email: "is already registered",
        });
      }
      throw error;
    }
  });

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
    const account = user;
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
    return {
      user_id: account.id,
      email: account.email,
      role: account.role,
      csrf_token: started.csrfToken,
    };
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

  // The signed-in account.
  routes.get(`${prefix}/me`, async (request) => {
    const principal = await requirePrincipal(request);
    return { user_id: principal.userId, email: principal.email, role: principal.role };
  });
}
