/**
 * Mail through an SMTP relay, with nodemailer.
 *
 * The outbox worker (`src/mail/worker.ts`) hands it each mail; it sends a
 * plain-text and an HTML part, with STARTTLS when `SMTP_STARTTLS` is true
 * (the default for port 587) and a login when `SMTP_USERNAME` is set.
 * Unconfigured (no `SMTP_HOST`), it is skipped. An error names its kind
 * and SMTP code, never the address.
 */
import { createTransport } from "nodemailer";
import { z } from "zod";
import { DeliveryError, type Message, type Provider } from "../mail/outbox.js";

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const SmtpSettings = z.object({
  SMTP_HOST: z.string().default(""),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(587),
  SMTP_USERNAME: z.string().default(""),
  SMTP_PASSWORD: z.string().default(""),
  SMTP_STARTTLS: flag.default(true),
  SMTP_TIMEOUT: z.coerce.number().positive().default(10),
});
/** The relay, from the environment. */
export type SmtpSettings = z.output<typeof SmtpSettings>;

/** The relay's settings in `env`. */
export function smtpSettings(env: NodeJS.ProcessEnv = process.env): SmtpSettings {
  return SmtpSettings.parse(env);
}

/** The SMTP provider of the outbox. */
export class Smtp implements Provider {
  readonly name = "smtp";

  /** With `fixed`, those settings; else the environment's, read at every send. */
  constructor(private readonly fixed?: SmtpSettings) {}

  /** The settings a send uses. */
  settings(): SmtpSettings {
    return this.fixed ?? smtpSettings();
  }

  configured(): boolean {
    return this.settings().SMTP_HOST !== "";
  }

  async send(message: Message): Promise<void> {
    const settings = this.settings();
    const timeout = settings.SMTP_TIMEOUT * 1000;
    const transport = createTransport({
      host: settings.SMTP_HOST,
      port: settings.SMTP_PORT,
      secure: false,
      requireTLS: settings.SMTP_STARTTLS,
      ignoreTLS: !settings.SMTP_STARTTLS,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      ...(settings.SMTP_USERNAME === ""
        ? {}
        : { auth: { user: settings.SMTP_USERNAME, pass: settings.SMTP_PASSWORD } }),
    });
    const domain = message.from.split("@")[1] ?? "localhost";
    try {
      await transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // The outbox row's id: a relay or a reader can tell a retry from a new mail.
        messageId: `<${message.id}@${domain}>`,
      });
    } catch (error) {
      // nodemailer's messages may quote the address: only the kind and code are kept.
      const failure = error as { code?: string; responseCode?: number };
      const code = failure.responseCode === undefined ? "" : ` ${String(failure.responseCode)}`;
      throw new DeliveryError(`${failure.code ?? "SMTP error"}${code}`);
    } finally {
      transport.close();
    }
  }
}

/** The provider the worker sends through. */
export const PROVIDER: Provider = new Smtp();
