/**
 * Sign-in through an OpenID Connect provider (the `oidc` integration), with
 * openid-client.
 *
 * `GET <base>/auth/oidc/login` redirects to the provider's authorization
 * endpoint, found through discovery (`OIDC_ISSUER` +
 * `/.well-known/openid-configuration`), with `state`, `nonce` and a PKCE
 * challenge (S256). The three are kept in a signed, HttpOnly cookie that
 * lives ten minutes and is sent to these two routes only.
 *
 * `GET <base>/auth/oidc/callback` exchanges the code (with the PKCE
 * verifier) and verifies the ID token: its signature against the
 * provider's JWKS, `iss`, `aud`, `exp` and `nonce`. An email the provider
 * says is verified links the account that has it, or a new account is
 * created in the role "applicant"; then the session starts exactly as a
 * password sign-in starts it, and the browser goes to
 * `OIDC_REDIRECT_AFTER_LOGIN`. The lockout is not involved: no password is
 * tried. A wrong or expired state, an error from the provider, a token that
 * fails a check or an unverified email answers 400 and is audited as
 * `login_failed`; never a 500. Plain HTTP to the provider is allowed for a
 * loopback issuer only.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import * as client from "openid-client";
import { z } from "zod";
import { record } from "../audit.js";
import { BASE_PATH } from "../base.js";
import { Problem } from "../problems.js";
import { startSignedInSession } from "../routes/auth.js";
import { AccountError, createUser, findByEmail, isUniqueViolation } from "../services/users.js";

/** The role of the accounts this integration creates (a signup role). */
export const DEFAULT_ROLE = "applicant";
/** What the app asks the provider for. */
export const SCOPE = "openid email profile";
/** The signed cookie that carries state, nonce and the PKCE verifier. */
export const STATE_COOKIE = "oidc_state";
const STATE_MAX_AGE_S = 600;
const PREFIX = `${BASE_PATH}/auth/oidc`;

const OidcSettings = z.object({
  OIDC_ISSUER: z.string().default(""),
  OIDC_CLIENT_ID: z.string().default(""),
  OIDC_CLIENT_SECRET: z.string().default(""),
  OIDC_REDIRECT_URI: z.string().default(""),
  OIDC_REDIRECT_AFTER_LOGIN: z.string().default("/"),
});
/** What the integration reads from the environment. */
export type OidcSettings = z.output<typeof OidcSettings>;

/** A sign-in the callback refuses, with the code the answer carries. */
class Refused extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
    this.name = "Refused";
  }
}

/** What the state cookie holds. */
const Pending = z.object({
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  expires: z.number(),
});

function mac(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(`oidc-state:${payload}`).digest();
}

/** The state cookie's value: the payload and its keyed hash. */
function sealed(secret: string, pending: z.output<typeof Pending>): string {
  const payload = Buffer.from(JSON.stringify(pending)).toString("base64url");
  return `${payload}.${mac(secret, payload).toString("base64url")}`;
}

/** What a state cookie holds, when it is this app's, untouched and not expired. */
function opened(secret: string, value: string | undefined): z.output<typeof Pending> | null {
  const [payload, tag] = (value ?? "").split(".");
  if (payload === undefined || tag === undefined) {
    return null;
  }
  const expected = mac(secret, payload);
  const given = Buffer.from(tag, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return null;
  }
  try {
    const pending = Pending.parse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    return pending.expires > Date.now() ? pending : null;
  } catch {
    return null;
  }
}

/** Whether the issuer is on this machine (plain HTTP is allowed there only). */
function isLoopback(issuer: URL): boolean {
  return ["127.0.0.1", "localhost", "[::1]"].includes(issuer.hostname);
}

/** Adds the two routes; they answer 503 until the provider and this client are named. */
export function install(app: FastifyInstance, env: NodeJS.ProcessEnv = process.env): void {
  const settings = OidcSettings.parse(env);
  const configured =
    settings.OIDC_ISSUER !== "" &&
    settings.OIDC_CLIENT_ID !== "" &&
    settings.OIDC_REDIRECT_URI !== "";
  let discovered: Promise<client.Configuration> | null = null;

  /** The provider's configuration, discovered once (again after a failure), or 503. */
  const provider = async (): Promise<client.Configuration> => {
    if (!configured) {
      throw new Problem(503, "Sign-in with the identity provider is not configured.");
    }
    const issuer = new URL(settings.OIDC_ISSUER);
    // The ID token's signature is checked against the provider's JWKS too,
    // not only the TLS connection it came over.
    const execute = [client.enableNonRepudiationChecks];
    if (issuer.protocol === "http:" && isLoopback(issuer)) {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- a loopback issuer only: local development and tests
      execute.push(client.allowInsecureRequests);
    }
    discovered ??= client.discovery(
      issuer,
      settings.OIDC_CLIENT_ID,
      settings.OIDC_CLIENT_SECRET === "" ? undefined : settings.OIDC_CLIENT_SECRET,
      undefined,
      { execute, timeout: 5 },
    );
    try {
      return await discovered;
    } catch {
      discovered = null;
      throw new Problem(503, "The identity provider cannot be reached; try again later.");
    }
  };

  const cookie = {
    path: PREFIX,
    httpOnly: true,
    sameSite: "lax",
    secure: app.config.cookieSecure,
  } as const;

  // Redirects to the provider with state, nonce and a PKCE (S256) challenge.
  app.get(`${PREFIX}/login`, async (_request, reply) => {
    const config = await provider();
    const pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      expires: Date.now() + STATE_MAX_AGE_S * 1000,
    };
    const target = client.buildAuthorizationUrl(config, {
      redirect_uri: settings.OIDC_REDIRECT_URI,
      scope: SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: "S256",
    });
    void reply.setCookie(STATE_COOKIE, sealed(app.config.secretKey, pending), {
      ...cookie,
      maxAge: STATE_MAX_AGE_S,
    });
    return reply.redirect(target.href, 302);
  });

  /** Links or creates the account of verified claims; the account. */
  const accountOf = async (claims: client.IDToken, request: FastifyRequest) => {
    const email = claims.email;
    if (typeof email !== "string" || email.trim() === "") {
      throw new Refused("no_email", "The identity provider gave no email address.");
    }
    if (claims.email_verified !== true) {
      throw new Refused(
        "email_not_verified",
        "The identity provider has not verified this email address.",
      );
    }
    try {
      return await app.db.transaction().execute(async (tx) => {
        let found = await findByEmail(tx, email);
        if (found === null) {
          // The account signs in through the provider: its password is random and never told.
          found = await createUser(tx, email, randomBytes(32).toString("base64url"), DEFAULT_ROLE);
          await record(tx, "register", {
            actor: { userId: found.id, role: found.role },
            entity: "account",
            entityId: found.id,
            requestId: request.id,
          });
        }
        // The provider vouches for the address, so the account's own verification is done.
        await tx
          .updateTable("auth_users")
          .set({ email_verified: true })
          .where("id", "=", found.id)
          .execute();
        return found;
      });
    } catch (error) {
      if (error instanceof AccountError) {
        throw new Refused("bad_email", "The identity provider's email address is not usable.");
      }
      if (isUniqueViolation(error)) {
        throw new Refused("conflict", "This account changed meanwhile; sign in again.");
      }
      throw error;
    }
  };

  /** Audits a refused sign-in and makes its 400. */
  const refuse = async (refusal: Refused, request: FastifyRequest): Promise<Problem> => {
    await record(app.db, "login_failed", {
      actor: null,
      entity: "oidc",
      fields: [refusal.code],
      requestId: request.id,
    });
    return new Problem(400, refusal.message, { oidc: refusal.code });
  };

  // Verifies the provider's answer and starts a session, or answers 400.
  app.get(`${PREFIX}/callback`, async (request: FastifyRequest, reply: FastifyReply) => {
    const config = await provider();
    const pending = opened(app.config.secretKey, request.cookies[STATE_COOKIE]);
    void reply.clearCookie(STATE_COOKIE, cookie);
    try {
      const query = new URLSearchParams(request.url.split("?")[1] ?? "");
      if (query.has("error")) {
        throw new Refused("provider_error", "The identity provider refused the sign-in.");
      }
      const invalidResponse = new Refused(
        "invalid_response",
        "The sign-in could not be verified (a wrong or expired state, or an invalid ID token).",
      );
      if (pending === null) {
        throw invalidResponse;
      }
      let tokens;
      try {
        const callback = new URL(settings.OIDC_REDIRECT_URI);
        callback.search = query.toString();
        tokens = await client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch {
        throw invalidResponse;
      }
      const claims = tokens.claims();
      if (claims === undefined) {
        throw new Refused("no_id_token", "The identity provider sent no ID token.");
      }
      const account = await accountOf(claims, request);
      await startSignedInSession(app, request, reply, account);
      return await reply.redirect(settings.OIDC_REDIRECT_AFTER_LOGIN, 302);
    } catch (error) {
      if (error instanceof Refused) {
        throw await refuse(error, request);
      }
      throw error;
    }
  });
}
