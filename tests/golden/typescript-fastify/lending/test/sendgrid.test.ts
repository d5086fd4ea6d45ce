/**
 * The SendGrid provider against a local stand-in for its v3 API
 * (`POST /v3/mail/send`): delivery, answers of 500, timeouts, and fallback.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { BASE_PATH } from "../src/base.js";
import { Sendgrid, SEND_PATH } from "../src/integrations/sendgrid.js";
import { drain, enqueue, FAILED, MAX_ATTEMPTS, PENDING, SENT } from "../src/mail/outbox.js";
import { passwordReset } from "../src/mail/templates.js";
import { ROLES, createUser } from "../src/services/users.js";
import { testApp } from "./helpers.js";
import { PASSWORD } from "./rows.js";
import { freePort } from "./servers.js";

const API_KEY = "SG.test-key";

/** What the stand-in was sent: the authorization header and the JSON body. */
interface Call {
  readonly authorization: string | undefined;
  readonly body: {
    personalizations: { to: { email: string }[] }[];
    from: { email: string };
    subject: string;
    content: { type: string; value: string }[];
    custom_args: { outbox_id: string };
  };
}

/** A stand-in answering the send call with `status` after `delayMs`, keeping each call. */
async function standIn(status = 202, delayMs = 0) {
  const calls: Call[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method === "POST" && request.url === SEND_PATH && status < 300) {
        calls.push({
          authorization: request.headers.authorization,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Call["body"],
        });
      }
      setTimeout(() => {
        response.writeHead(request.url === SEND_PATH ? status : 404).end();
      }, delayMs);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${String(port)}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const sendgrid = (url: string, timeout = 5) =>
  new Sendgrid({
    SENDGRID_API_KEY: API_KEY,
    SENDGRID_API_URL: url,
    SENDGRID_SANDBOX: false,
    SENDGRID_TIMEOUT: timeout,
  });

describe("mail through SendGrid", () => {
  let app: FastifyInstance;
  let api: Awaited<ReturnType<typeof standIn>>;
  const from = "no-reply@example.com";
  const send = (...providers: Sendgrid[]) => drain(app.db, { providers, from });
  const rows = () => app.db.selectFrom("mail_outbox").selectAll().execute();

  beforeAll(async () => {
    app = await testApp();
    // The other files' mails are not this file's to send.
    await app.db.deleteFrom("mail_outbox").execute();
    api = await standIn();
  });
  afterEach(async () => {
    await app.db.deleteFrom("mail_outbox").execute();
    api.calls.length = 0;
  });
  afterAll(async () => {
    await api.stop();
    await app.close();
  });

  it("posts a reset mail with both parts, tagged with its outbox row", async () => {
    const email = `sendgrid-${randomUUID()}@example.com`;
    await createUser(app.db, email, PASSWORD, ROLES.at(-1) ?? "");
    const asked = await app.inject({
      method: "POST",
      url: `${BASE_PATH}/auth/password-reset`,
      payload: { email },
    });
    expect(asked.statusCode).toBe(202);
    expect(await send(sendgrid(api.url))).toBe(1);
    const [call] = api.calls;
    expect(call?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(call?.body.personalizations[0]?.to).toEqual([{ email }]);
    expect(call?.body.from).toEqual({ email: from });
    expect(call?.body.content.map((part) => part.type)).toEqual(["text/plain", "text/html"]);
    expect(call?.body.content[0]?.value).toMatch(/\?token=[A-Za-z0-9_-]+/);
    const [row] = await rows();
    expect(call?.body.custom_args.outbox_id).toBe(row?.id);
    expect([row?.status, row?.provider]).toEqual([SENT, "sendgrid"]);
  });

  it("falls back from an API that is down to the next, sending once", async () => {
    await enqueue(app.db, "fallback@example.com", passwordReset("http://localhost/x?token=t"));
    const down = sendgrid(`http://127.0.0.1:${String(await freePort())}`);
    expect(await send(down, sendgrid(api.url))).toBe(1);
    expect(api.calls).toHaveLength(1);
    const [row] = await rows();
    expect([row?.status, row?.attempts]).toEqual([SENT, 1]);
    expect(await send(down, sendgrid(api.url))).toBe(0);
    expect(api.calls).toHaveLength(1);
  });

  it.each([
    ["a 500", 500, 0],
    ["a timeout", 202, 1000],
  ])("retries %s, then records the mail failed", async (_what, status, delayMs) => {
    const failing = await standIn(status, delayMs);
    try {
      await enqueue(app.db, "flaky@example.com", passwordReset("http://localhost/x?token=t"));
      const provider = sendgrid(failing.url, 0.2);
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        expect(await send(provider)).toBe(1);
        const [row] = await rows();
        expect(row?.attempts).toBe(attempt);
        expect(row?.last_error).not.toContain("@");
        expect(row?.last_error).not.toContain(API_KEY);
        if (attempt < MAX_ATTEMPTS) {
          expect(row?.status).toBe(PENDING);
          await app.db.updateTable("mail_outbox").set({ next_attempt_at: new Date() }).execute();
        }
      }
      const [row] = await rows();
      expect(row?.status).toBe(FAILED);
    } finally {
      await failing.stop();
    }
  });

  it("skips SendGrid without a key", () => {
    expect(
      new Sendgrid({ ...sendgrid(api.url).settings(), SENDGRID_API_KEY: "" }).configured(),
    ).toBe(false);
  });
});
