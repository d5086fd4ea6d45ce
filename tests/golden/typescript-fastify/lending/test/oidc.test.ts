/**
 * The `oidc` integration, against a local OpenID provider.
 *
 * A loopback HTTP server plays the provider: it publishes a discovery
 * document and a JWKS, and its token endpoint checks the client's secret,
 * the redirect URI and the PKCE verifier before it answers an RS256 ID
 * token signed with its key. The tests play the browser: they follow the
 * login redirect to learn state, nonce and the challenge, have the provider
 * issue a code for them, and bring the code back to the callback.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { exportJWK, generateKeyPair, type CryptoKey, SignJWT } from "jose";
import { BASE_PATH } from "../src/base.js";
import { DEFAULT_ROLE, STATE_COOKIE } from "../src/integrations/oidc.js";
import { createUser } from "../src/services/users.js";
import { testApp } from "./helpers.js";
import { emptyEntityTables, PASSWORD } from "./rows.js";
import { freePort } from "./servers.js";

const CLIENT_ID = "archgen-test-client";
const CLIENT_SECRET = "client-secret-for-tests";
const REDIRECT_URI = `http://testserver${BASE_PATH}/auth/oidc/callback`;
const AFTER_LOGIN = "/signed-in";
const LOGIN = `${BASE_PATH}/auth/oidc/login`;
const CALLBACK = `${BASE_PATH}/auth/oidc/callback`;
const KEY_ID = "provider-key";

/** What the provider remembers about a code until it is redeemed. */
interface Grant {
  readonly challenge: string;
  readonly redirectUri: string;
  readonly token: string;
}

/** How a test bends the ID token. */
interface Change {
  readonly verified?: boolean;
  readonly nonce?: string;
  readonly audience?: string;
  readonly key?: CryptoKey;
}

/** The loopback provider: its key, its codes, its address. */
async function startProvider() {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: "RS256", use: "sig" };
  const grants = new Map<string, Grant>();
  const port = await freePort();
  const issuer = `http://127.0.0.1:${String(port)}`;
  const json = (response: import("node:http").ServerResponse, status: number, body: object) => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", issuer);
      if (url.pathname === "/.well-known/openid-configuration") {
        json(response, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
        });
      } else if (url.pathname === "/jwks") {
        json(response, 200, { keys: [jwk] });
      } else if (url.pathname === "/token" && request.method === "POST") {
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        const basic = Buffer.from(
          (request.headers.authorization ?? "").replace(/^Basic /, ""),
          "base64",
        ).toString("utf8");
        const secret =
          form.get("client_secret") ?? decodeURIComponent(basic.split(":").slice(1).join(":"));
        const grant = grants.get(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        const challenge = createHash("sha256").update(verifier).digest("base64url");
        if (
          grant === undefined ||
          secret !== CLIENT_SECRET ||
          form.get("redirect_uri") !== grant.redirectUri ||
          challenge !== grant.challenge
        ) {
          json(response, 400, { error: "invalid_grant" });
          return;
        }
        grants.delete(form.get("code") ?? "");
        json(response, 200, {
          access_token: "access-token",
          token_type: "Bearer",
          expires_in: 300,
          id_token: grant.token,
        });
      } else {
        json(response, 404, { error: "not_found" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    /** A code for the authorization request `query`, as if the user had approved it. */
    async grant(query: URLSearchParams, email: string, change: Change = {}): Promise<string> {
      expect(query.get("code_challenge_method")).toBe("S256");
      const token = await new SignJWT({
        email,
        email_verified: change.verified ?? true,
        nonce: change.nonce ?? query.get("nonce") ?? "",
      })
        .setProtectedHeader({ alg: "RS256", kid: KEY_ID })
        .setIssuer(issuer)
        .setSubject(`subject-${email}`)
        .setAudience(change.audience ?? CLIENT_ID)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(change.key ?? privateKey);
      const code = randomBytes(16).toString("base64url");
      grants.set(code, {
        challenge: query.get("code_challenge") ?? "",
        redirectUri: query.get("redirect_uri") ?? "",
        token,
      });
      return code;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** The value of a cookie a response sets. */
const cookieOf = (response: LightMyRequestResponse, name: string): string =>
  response.cookies.find((cookie) => cookie.name === name)?.value ?? "";

describe("sign-in with an OpenID provider", () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let app: FastifyInstance;
  const names = [
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_REDIRECT_URI",
    "OIDC_REDIRECT_AFTER_LOGIN",
  ] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);

  beforeAll(async () => {
    provider = await startProvider();
    Object.assign(process.env, {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URI: REDIRECT_URI,
      OIDC_REDIRECT_AFTER_LOGIN: AFTER_LOGIN,
    });
    app = await testApp();
  });
  beforeEach(async () => {
    await emptyEntityTables(app);
    await app.db.deleteFrom("auth_users").execute();
  });
  afterAll(async () => {
    await app.close();
    await provider.stop();
    for (const [name, value] of saved) {
      if (value === undefined) {
        Reflect.deleteProperty(process.env, name);
      } else {
        process.env[name] = value;
      }
    }
  });

  /** Follows the login redirect: the authorization request's query and the state cookie. */
  const start = async () => {
    const answer = await app.inject({ method: "GET", url: LOGIN });
    expect(answer.statusCode, answer.body).toBe(302);
    const location = new URL(String(answer.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${provider.issuer}/authorize`);
    return { query: location.searchParams, state: cookieOf(answer, STATE_COOKIE), answer };
  };

  /** Brings a code back to the callback with the browser's state cookie. */
  const finish = (query: URLSearchParams, code: string, state: string) =>
    app.inject({
      method: "GET",
      url: `${CALLBACK}?code=${code}&state=${query.get("state") ?? ""}`,
      cookies: { [STATE_COOKIE]: state },
    });

  const failures = async () =>
    (
      await app.db
        .selectFrom("audit_events")
        .select("id")
        .where("action", "=", "login_failed")
        .where("entity", "=", "oidc")
        .execute()
    ).length;

  const me = (session: string) =>
    app.inject({ method: "GET", url: `${BASE_PATH}/auth/me`, cookies: { session } });

  it("redirects with state, nonce and an S256 challenge kept in an HttpOnly cookie", async () => {
    const { query, answer } = await start();
    expect(query.get("response_type")).toBe("code");
    expect(query.get("client_id")).toBe(CLIENT_ID);
    expect(query.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(query.get("scope")?.split(" ")).toContain("openid");
    for (const name of ["state", "nonce", "code_challenge"]) {
      expect(query.get(name)).toBeTruthy();
    }
    const cookie = answer.cookies.find((c) => c.name === STATE_COOKIE);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.path).toBe(`${BASE_PATH}/auth/oidc`);
    expect(cookie?.value).not.toContain(query.get("state") ?? "");
  });

  it("gives a new person an account in the default role and a session", async () => {
    const { query, state } = await start();
    const answer = await finish(
      query,
      await provider.grant(query, "new.person@example.com"),
      state,
    );
    expect(answer.statusCode, answer.body).toBe(302);
    expect(answer.headers.location).toBe(AFTER_LOGIN);
    const session = answer.cookies.find((c) => c.name === "session");
    expect(session?.httpOnly).toBe(true);
    expect(cookieOf(answer, "csrf_token")).not.toBe("");
    const signedIn = await me(session?.value ?? "");
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json()).toMatchObject({ email: "new.person@example.com", role: DEFAULT_ROLE });
    // The code works once.
    const again = await finish(query, "used-or-unknown", state);
    expect(again.statusCode).toBe(400);
  });

  it("links the account a verified email already has", async () => {
    const existing = await createUser(
      app.db,
      "existing.person@example.com",
      PASSWORD,
      DEFAULT_ROLE,
    );
    const { query, state } = await start();
    const answer = await finish(
      query,
      await provider.grant(query, "existing.person@example.com"),
      state,
    );
    expect(answer.statusCode, answer.body).toBe(302);
    const signedIn = await me(cookieOf(answer, "session"));
    expect(signedIn.json()).toMatchObject({ user_id: existing.id });
    const accounts = await app.db.selectFrom("auth_users").select("id").execute();
    expect(accounts).toHaveLength(1);
  });

  it("never lets an unverified email take an account over", async () => {
    await createUser(app.db, "victim@example.com", PASSWORD, DEFAULT_ROLE);
    const before = await failures();
    const { query, state } = await start();
    const code = await provider.grant(query, "victim@example.com", { verified: false });
    const answer = await finish(query, code, state);
    expect(answer.statusCode).toBe(400);
    expect(answer.headers["content-type"]).toContain("application/problem+json");
    expect(answer.json()).toMatchObject({ errors: { oidc: "email_not_verified" } });
    expect(cookieOf(answer, "session")).toBe("");
    expect(await failures()).toBe(before + 1);
  });

  it("refuses a wrong or missing state", async () => {
    const before = await failures();
    const { query, state } = await start();
    const code = await provider.grant(query, "someone@example.com");
    const wrong = await app.inject({
      method: "GET",
      url: `${CALLBACK}?code=${code}&state=not-the-state`,
      cookies: { [STATE_COOKIE]: state },
    });
    expect(wrong.statusCode).toBe(400);
    const stranger = await finish(query, code, "");
    expect(stranger.statusCode).toBe(400);
    expect(await failures()).toBe(before + 2);
  });

  it.each([
    ["a wrong nonce", { nonce: "another-nonce" }],
    ["a wrong audience", { audience: "another-client" }],
  ])("refuses an ID token with %s", async (_what, change: Change) => {
    const { query, state } = await start();
    const answer = await finish(
      query,
      await provider.grant(query, "someone@example.com", change),
      state,
    );
    expect(answer.statusCode, answer.body).toBe(400);
    expect(answer.json()).toMatchObject({ errors: { oidc: "invalid_response" } });
    expect(await app.db.selectFrom("auth_users").select("id").execute()).toHaveLength(0);
  });

  it("refuses an ID token signed with another key", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const { query, state } = await start();
    const code = await provider.grant(query, "someone@example.com", { key: privateKey });
    const answer = await finish(query, code, state);
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ errors: { oidc: "invalid_response" } });
  });

  it("refuses an error from the provider", async () => {
    const { query, state } = await start();
    const answer = await app.inject({
      method: "GET",
      url: `${CALLBACK}?error=access_denied&state=${query.get("state") ?? ""}`,
      cookies: { [STATE_COOKIE]: state },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ errors: { oidc: "provider_error" } });
  });
});

describe("sign-in with an OpenID provider, not configured", () => {
  it("answers 503", async () => {
    const app = await testApp();
    try {
      const answer = await app.inject({ method: "GET", url: LOGIN });
      expect(answer.statusCode).toBe(503);
      expect(answer.headers["content-type"]).toContain("application/problem+json");
    } finally {
      await app.close();
    }
  });
});
