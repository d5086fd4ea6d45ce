/**
 * Mail through SendGrid's v3 Web API (`POST /v3/mail/send`), with `fetch`.
 *
 * The outbox worker (`src/mail/worker.ts`) hands it each mail; it sends a
 * plain-text and an HTML part, tagged with the outbox row's id
 * (`custom_args`), to `SENDGRID_API_URL` (SendGrid's by default; tests
 * point it at a local stand-in) with `SENDGRID_API_KEY`. Unconfigured (no
 * key), it is skipped. Any answer but 200 or 202, a timeout or a
 * connection error is a failed try; the error names the status or the
 * kind, never the address or the key.
 */
import { z } from "zod";
import { DeliveryError, type Message, type Provider } from "../mail/outbox.js";

/** The path of the send call. */
export const SEND_PATH = "/v3/mail/send";

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const SendgridSettings = z.object({
  SENDGRID_API_KEY: z.string().default(""),
  SENDGRID_API_URL: z.url().default("https://api.sendgrid.com"),
  SENDGRID_SANDBOX: flag.default(false),
  SENDGRID_TIMEOUT: z.coerce.number().positive().default(10),
});
/** The API key and where the API is, from the environment. */
export type SendgridSettings = z.output<typeof SendgridSettings>;

/** SendGrid's settings in `env`. */
export function sendgridSettings(env: NodeJS.ProcessEnv = process.env): SendgridSettings {
  return SendgridSettings.parse(env);
}

/** The body of `POST /v3/mail/send` for one mail. */
export function payload(message: Message, sandbox: boolean): object {
  return {
    personalizations: [{ to: [{ email: message.to }] }],
    from: { email: message.from },
    subject: message.subject,
    content: [
      { type: "text/plain", value: message.text },
      { type: "text/html", value: message.html },
    ],
    custom_args: { outbox_id: message.id },
    mail_settings: { sandbox_mode: { enable: sandbox } },
  };
}

/** The SendGrid provider of the outbox. */
export class Sendgrid implements Provider {
  readonly name = "sendgrid";

  /** With `fixed`, those settings; else the environment's, read at every send. */
  constructor(private readonly fixed?: SendgridSettings) {}

  /** The settings a send uses. */
  settings(): SendgridSettings {
    return this.fixed ?? sendgridSettings();
  }

  configured(): boolean {
    return this.settings().SENDGRID_API_KEY !== "";
  }

  async send(message: Message): Promise<void> {
    const settings = this.settings();
    let response: Response;
    try {
      response = await fetch(settings.SENDGRID_API_URL.replace(/\/+$/, "") + SEND_PATH, {
        method: "POST",
        headers: {
          authorization: `Bearer ${settings.SENDGRID_API_KEY}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(payload(message, settings.SENDGRID_SANDBOX)),
        signal: AbortSignal.timeout(settings.SENDGRID_TIMEOUT * 1000),
      });
      await response.body?.cancel();
    } catch (error) {
      throw new DeliveryError(error instanceof Error ? error.name : "fetch failed");
    }
    if (response.status !== 200 && response.status !== 202) {
      throw new DeliveryError(`SendGrid answered ${String(response.status)}`);
    }
  }
}

/** The provider the worker sends through. */
export const PROVIDER: Provider = new Sendgrid();
