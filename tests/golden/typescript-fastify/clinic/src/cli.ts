/**
 * Operators' commands:
 * - `user --email E --password P --role R` (`make user`): create a user with
 *   any role, or set the role of an existing one, leaving its password alone;
 * - `retention` (`make retention`): delete what is past its retention;
 * - `rotate-keys` (`make rotate-keys`): re-encrypt under the newest key;
 * - `backup` (`make backup`) and `restore FILE [--force]` (`make restore`).
 */
import { parseArgs } from "node:util";
import { record } from "./audit.js";
import { BackupError, dump, restore } from "./backup.js";
import { ConfigError, loadConfig, loadDatabaseConfig } from "./config.js";
import { openCommandDb } from "./db.js";
import { retention, retentionLines, rotate } from "./maintenance.js";
import { requireNode } from "./runtime.js";
import { Keyring, KeyringError } from "./security/crypto.js";
import { AccountError, createUser, findByEmail, setRole } from "./services/users.js";

const USAGE = [
  "usage: cli user --email EMAIL --password PASSWORD --role ROLE",
  "       cli retention",
  "       cli rotate-keys",
  "       cli backup",
  "       cli restore FILE [--force]",
].join("\n");

/** A mistake in how a command was called. */
class UsageError extends Error {
  override name = "UsageError";
}

async function user(args: readonly string[]): Promise<string> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      email: { type: "string" },
      password: { type: "string" },
      role: { type: "string" },
    },
  });
  const { email, password, role } = values;
  if (email === undefined || email === "" || role === undefined || role === "") {
    throw new UsageError(USAGE);
  }
  const config = loadConfig();
  const db = openCommandDb(config.databaseUrl, config.dbPoolTimeoutMs);
  try {
    return await db.transaction().execute(async (tx) => {
      const existing = await findByEmail(tx, email);
      if (existing !== null) {
        await setRole(tx, existing.id, role);
        await record(tx, "role_change", {
          actor: null,
          entity: "account",
          entityId: existing.id,
          fields: ["role"],
        });
        return `${existing.email}: role set to ${role}`;
      }
      if (password === undefined || password === "") {
        throw new Error(`no account has ${email}: give --password to create one`);
      }
      const created = await createUser(tx, email, password, role);
      await record(tx, "register", { actor: null, entity: "account", entityId: created.id });
      return `${created.email}: created with role ${role}`;
    });
  } finally {
    await db.destroy();
  }
}

/** Runs as the schema owner: the app's role may not delete audit events. */
async function purgeExpired(): Promise<string> {
  const config = loadConfig();
  const db = openCommandDb(config.migrationDatabaseUrl, config.dbPoolTimeoutMs);
  try {
    return retentionLines(await retention(db)).join("\n");
  } catch (error) {
    const constraint = (error as { code?: string; constraint?: string }).constraint;
    if ((error as { code?: string }).code === "23503") {
      throw new Error(`rows still referred to block the purge (${constraint ?? "a foreign key"})`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

async function rotateKeys(): Promise<string> {
  const config = loadConfig();
  const db = openCommandDb(config.databaseUrl, config.dbPoolTimeoutMs);
  try {
    const counts = await rotate(db, new Keyring(config.encryptionKeys, config.secretKey));
    if (counts.size === 0) {
      return "no field is encrypted; nothing to rotate";
    }
    return [...counts].map(([name, n]) => `${name}: ${String(n)} rows re-encrypted`).join("\n");
  } finally {
    await db.destroy();
  }
}

async function restoreDump(args: readonly string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { force: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const [file] = positionals;
  if (file === undefined || file === "" || positionals.length > 1) {
    throw new UsageError(USAGE);
  }
  await restore(loadDatabaseConfig(), file, values.force);
  return `restored ${file}`;
}

async function main(argv: readonly string[]): Promise<string> {
  const [command, ...args] = argv;
  switch (command) {
    case "user":
      return user(args);
    case "retention":
      return purgeExpired();
    case "rotate-keys":
      return rotateKeys();
    case "backup":
      return dump(loadDatabaseConfig());
    case "restore":
      return restoreDump(args);
    default:
      throw new UsageError(USAGE);
  }
}

requireNode("cli");

main(process.argv.slice(2)).then(
  (output) => {
    console.log(output);
  },
  (error: unknown) => {
    if (error instanceof AccountError) {
      console.error(`cannot: ${error.message}`);
    } else if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(error.message);
    } else if (error instanceof BackupError || error instanceof KeyringError) {
      console.error(`error: ${error.message}`);
    } else if (error instanceof Error) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
