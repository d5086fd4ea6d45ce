/** The SMTP provider against a local SMTP server (smtp-server) that the test reads back. */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { SMTPServer } from "smtp-server";
import { BASE_PATH } from "../src/base.js";
import type { Db } from "../src/db.js";
import { Smtp } from "../src/integrations/smtp.js";
import { drain, enqueue, FAILED, MAX_ATTEMPTS, PENDING, SENT } from "../src/mail/outbox.js";
import { passwordReset, TITLE } from "../src/mail/templates.js";
import { ROLES, createUser } from "../src/services/users.js";
import { testApp } from "./helpers.js";
import { PASSWORD } from "./rows.js";
import { freePort } from "./servers.js";

const LINK = /\?token=([A-Za-z0-9_-]+)/;

/** A mail the relay took: its envelope's recipients and its raw text. */
interface Received {
  readonly to: string[];
  readonly raw: string;
}

/** A local relay keeping every mail it is given, on a free loopback port. */
async function startRelay(): Promise<{
  port: number;
  inbox: Received[];
  stop: () => Promise<void>;
}> {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  return { port, inbox, stop };
}

/** A provider for the relay on `port`, without STARTTLS (loopback). */
const smtp = (port: number) =>
  new Smtp({
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: port,
    SMTP_USERNAME: "",
    SMTP_PASSWORD: "",
    SMTP_STARTTLS: false,
    SMTP_TIMEOUT: 2,
  });

/** The text between a part's headers and the next boundary, soft line breaks undone. */
function partOf(raw: string, type: string): string {
  const start = raw.indexOf(`Content-Type: ${type}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = raw.slice(raw.indexOf("\r\n\r\n", start) + 4);
  return body.slice(0, body.indexOf("\r\n--")).replace(/=\r\n/g, "").replace(/=3D/g, "=");
}

describe("mail through SMTP", () => {
  let app: FastifyInstance;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  const from = "no-reply@example.com";
  const send = (db: Db, ...providers: Smtp[]) => drain(db, { providers, from });
  const rows = () => app.db.selectFrom("mail_outbox").selectAll().execute();

  beforeAll(async () => {
    app = await testApp();
    // The other files' mails are not this file's to send.
    await app.db.deleteFrom("mail_outbox").execute();
    relay = await startRelay();
  });
  afterEach(async () => {
    await app.db.deleteFrom("mail_outbox").execute();
    relay.inbox.length = 0;
  });
  afterAll(async () => {
    await relay.stop();
    await app.close();
  });

  it("delivers a reset mail whose link works, and never sends it twice", async () => {
    const email = `smtp-${randomUUID()}@example.com`;
    await createUser(app.db, email, PASSWORD, ROLES.at(-1) ?? "");
    const asked = await app.inject({
      method: "POST",
      url: `${BASE_PATH}/auth/password-reset`,
      payload: { email },
    });
    expect(asked.statusCode).toBe(202);
    expect(await send(app.db, smtp(relay.port))).toBe(1);
    const [mail] = relay.inbox;
    expect(mail?.to).toEqual([email]);
    expect(mail?.raw).toContain(TITLE);
    const text = partOf(mail?.raw ?? "", "text/plain");
    expect(partOf(mail?.raw ?? "", "text/html")).toContain("<a href=");
    const token = LINK.exec(text)?.[1] ?? "";
    expect(token).not.toBe("");
    const confirmed = await app.inject({
      method: "POST",
      url: `${BASE_PATH}/auth/password-reset/confirm`,
      payload: { token, password: "a-new-long-enough-password" },
    });
    expect(confirmed.statusCode).toBe(204);
    const [row] = await rows();
    expect([row?.status, row?.provider, row?.attempts]).toEqual([SENT, "smtp", 1]);
    expect(await send(app.db, smtp(relay.port))).toBe(0);
    expect(relay.inbox).toHaveLength(1);
  });

  it("falls back from a relay that is down to the next, sending once", async () => {
    await enqueue(app.db, "fallback@example.com", passwordReset("http://localhost/x?token=t"));
    const down = smtp(await freePort());
    expect(await send(app.db, down, smtp(relay.port))).toBe(1);
    expect(relay.inbox.map((mail) => mail.to)).toEqual([["fallback@example.com"]]);
    const [row] = await rows();
    expect([row?.status, row?.provider]).toEqual([SENT, "smtp"]);
    expect(await send(app.db, down, smtp(relay.port))).toBe(0);
    expect(relay.inbox).toHaveLength(1);
  });

  it("retries a relay that stays down with backoff, then records the mail failed", async () => {
    await enqueue(app.db, "nobody-home@example.com", passwordReset("http://localhost/x?token=t"));
    const down = smtp(await freePort());
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      expect(await send(app.db, down)).toBe(1);
      const [row] = await rows();
      expect(row?.attempts).toBe(attempt);
      expect(row?.last_error).not.toBeNull();
      expect(row?.last_error).not.toContain("@");
      if (attempt < MAX_ATTEMPTS) {
        expect(row?.status).toBe(PENDING);
        // Not due before its backoff: the next drain leaves it alone.
        expect(await send(app.db, down)).toBe(0);
        await app.db.updateTable("mail_outbox").set({ next_attempt_at: new Date() }).execute();
      }
    }
    const [row] = await rows();
    expect(row?.status).toBe(FAILED);
    expect(await send(app.db, down)).toBe(0);
  });

  it("skips a relay that is not configured", () => {
    expect(new Smtp({ ...smtp(25).settings(), SMTP_HOST: "" }).configured()).toBe(false);
  });
});
