/**
 * Operators' commands (`make user`): create a user with any role, or set
 * the role of an existing one, leaving its password alone.
 */
import { parseArgs } from "node:util";
import { record } from "./audit.js";
import { ConfigError, loadConfig } from "./config.js";
import { openCommandDb } from "./db.js";
import { AccountError, createUser, findByEmail, setRole } from "./services/users.js";

const USAGE = "usage: cli user --email EMAIL --password PASSWORD --role ROLE";

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
    throw new Error(USAGE);
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

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command !== "user") {
    throw new Error(USAGE);
  }
  console.log(await user(args));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof AccountError) {
    console.error(`cannot: ${error.message}`);
  } else if (error instanceof ConfigError || error instanceof Error) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
