/** The mails the product sends, each as plain text and HTML, carrying its title. */
import { LIFETIMES_MS, type Purpose } from "./tokens.js";

/** The product's name, as mails show it. */
export const TITLE = "ClinicFlow";

/** A rendered mail: subject, plain text and HTML. */
export interface Mail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Text made safe inside HTML (and inside a quoted attribute). */
function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#x27;");
}

/** How long a link of this purpose works, in words. */
function lifetime(purpose: Purpose): string {
  const minutes = LIFETIMES_MS[purpose] / 60_000;
  if (minutes % 60 === 0) {
    const hours = minutes / 60;
    return `${String(hours)} hour${hours === 1 ? "" : "s"}`;
  }
  return `${String(minutes)} minutes`;
}

function render(subject: string, lines: readonly string[], link: [string, string]): Mail {
  const [label, url] = link;
  const text = [...lines, `${label}: ${url}`, `-- ${TITLE}`].join("\n\n");
  const body = [
    ...lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>`,
  ].join("\n");
  const html =
    "<!DOCTYPE html>\n" +
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n` +
    `<body>\n<h1>${escapeHtml(TITLE)}</h1>\n${body}\n</body></html>\n`;
  return { subject: `${TITLE}: ${subject}`, text: `${text}\n`, html };
}

/** The mail a new account gets: the link that verifies its address. */
export function verification(link: string): Mail {
  return render(
    "verify your email",
    [
      `Welcome to ${TITLE}. Confirm that this address is yours by following the link below.`,
      `The link works once, within ${lifetime("verify")}.`,
      "If you did not sign up, ignore this mail.",
    ],
    ["Verify my email", link],
  );
}

/** The mail sent when someone registers an address that has an account. */
export function alreadyRegistered(resetLink: string): Mail {
  return render(
    "you already have an account",
    [
      `Someone (perhaps you) tried to sign up to ${TITLE} with this address, which already has an account.`,
      "Sign in with your password, or set a new one with the link below.",
      `The link works once, within ${lifetime("reset")}. If it was not you, ignore this mail.`,
    ],
    ["Set a new password", resetLink],
  );
}

/** The mail with a password-reset link. */
export function passwordReset(link: string): Mail {
  return render(
    "reset your password",
    [
      `Someone (perhaps you) asked to reset the password of your ${TITLE} account.`,
      `The link works once, within ${lifetime("reset")}, and signs you out everywhere.`,
      "If it was not you, ignore this mail: your password stays as it is.",
    ],
    ["Set a new password", link],
  );
}
