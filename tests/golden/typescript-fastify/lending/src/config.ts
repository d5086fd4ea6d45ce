/**
 * Configuration, read from the environment only (C-RUN-2): a missing or
 * invalid variable stops start-up with its name (C-RUN-3), and a weak
 * `SECRET_KEY` is refused (C-RUN-4).
 */
import { z } from "zod";
import { parseTrustedProxies } from "./client.js";

/** The least length of `SECRET_KEY`. */
export const SECRET_KEY_MIN_LENGTH = 32;

/**
 * Values a `SECRET_KEY` must never be, compared as whole values,
 * case-insensitively: the one `.env.example` ships and the placeholders
 * people paste.
 */
const SECRET_KEY_PLACEHOLDERS = new Set([
  "change-me-to-a-long-random-string-of-32-or-more-characters",
  "changeme",
  "change-me",
  "change_me",
  "changethis",
  "change-this",
  "change_this",
  "secret",
  "secretkey",
  "secret-key",
  "secret_key",
  "your-secret-key",
  "your_secret_key",
  "password",
  "default",
  "test",
  "example",
  "xxx",
]);

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The length of an AES-256 key, in bytes. */
const KEY_BYTES = 32;

const secretKey = z
  .string()
  .refine((value) => !SECRET_KEY_PLACEHOLDERS.has(value.trim().toLowerCase()), {
    error: "is a placeholder; set a long random value",
    abort: true,
  })
  .refine((value) => value.length >= SECRET_KEY_MIN_LENGTH, {
    error: `must have at least ${String(SECRET_KEY_MIN_LENGTH)} characters`,
  });

const encryptionKeys = z.string().transform((value, context) => {
  const keys = value
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "")
    .map((key) => Buffer.from(key, "base64url"));
  if (keys.length === 0 || keys.some((key) => key.length !== KEY_BYTES)) {
    context.addIssue({
      code: "custom",
      message: `must be comma-separated base64url keys of ${String(KEY_BYTES)} bytes each`,
    });
    return z.NEVER;
  }
  return keys;
});

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === "" ? undefined : value));

const environment = z.object({
  DATABASE_URL: z.string().min(1),
  SECRET_KEY: secretKey,
  ENCRYPTION_KEYS: encryptionKeys,
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
  LOG_LEVEL: z
    .string()
    .default("info")
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(LOG_LEVELS)),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  DB_POOL_TIMEOUT: z.coerce.number().positive().default(5),
  DB_STATEMENT_TIMEOUT: z.coerce.number().positive().default(15),
  COOKIE_SECURE: flag.default(true),
  CORS_ORIGINS: z.string().default(""),
  ADMIN_DIST_DIR: z.string().default("clients/admin/dist"),
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .superRefine((value, context) => {
      try {
        parseTrustedProxies(value);
      } catch (error) {
        context.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  RATE_LIMIT_CLIENT: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_USER: z.coerce.number().int().min(1).default(120),
  REDIS_URL: optionalText,
  MIGRATION_DATABASE_URL: optionalText,
  APP_DB_ROLE: optionalText,
  APP_DB_PASSWORD: optionalText,
  EMAIL_FROM: z.email().default("loans@lendwell.example"),
  APP_BASE_URL: z.url().default("http://localhost:8000"),
});

/** Everything the app reads from the environment. */
export interface Config {
  /** The database the app uses. */
  readonly databaseUrl: string;
  /** The schema owner's URL, for migrations (default `databaseUrl`). */
  readonly migrationDatabaseUrl: string;
  /** The role the app connects as; `make migrate` grants it DML only. */
  readonly appDbRole: string | undefined;
  /** With `appDbRole`: the password `make migrate` creates it with. */
  readonly appDbPassword: string | undefined;
  /** Signs cursors, keys HMACs. */
  readonly secretKey: string;
  /** AES-256-GCM keys, newest first: the newest encrypts, all decrypt. */
  readonly encryptionKeys: readonly Buffer[];
  readonly host: string;
  readonly port: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** The ceiling of pooled connections. */
  readonly dbPoolSize: number;
  /** Milliseconds a request waits for a pooled connection before 503. */
  readonly dbPoolTimeoutMs: number;
  /** Milliseconds a statement may run before the server cancels it. */
  readonly dbStatementTimeoutMs: number;
  readonly cookieSecure: boolean;
  /** Browser origins allowed to call the API. */
  readonly corsOrigins: readonly string[];
  /** Comma-separated addresses or CIDRs whose `X-Forwarded-For` is believed. */
  readonly trustedProxies: string;
  /** Requests per minute per client address. */
  readonly rateLimitClient: number;
  /** Requests per minute per user. */
  readonly rateLimitUser: number;
  /** Where the rate-limit counters live; unset, in PostgreSQL (`auth_rate_limits`). */
  readonly redisUrl: string | undefined;
  /** The admin web app's build, served at `/admin/` (relative to the project). */
  readonly adminDistDir: string;
  /** The sender of every mail. */
  readonly emailFrom: string;
  /** The address the mailed verification and reset links open. */
  readonly appBaseUrl: string;
}

/** Configuration that cannot start the app: each problem names its variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`configuration error: set the environment variable(s) ${problems.join(", ")}`);
    this.name = "ConfigError";
  }
}

/** `env` parsed by `schema`, or a {@link ConfigError} naming every bad variable. */
function parsedEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.map(String).join(".");
      const reason =
        issue.code === "invalid_type" && env[name] === undefined ? "missing" : issue.message;
      return `${name} (${reason})`;
    });
    throw new ConfigError(problems);
  }
  return parsed.data;
}

/** What the database commands read (`make backup`, `make restore`): no secrets. */
export interface DatabaseConfig {
  /** The schema owner's URL (`MIGRATION_DATABASE_URL`, default `DATABASE_URL`). */
  readonly ownerUrl: string;
  /** Milliseconds to wait for a connection. */
  readonly connectTimeoutMs: number;
  /** Where `make backup` writes its dumps. */
  readonly backupDir: string;
  /** The directory of the PostgreSQL client programs, when not on `PATH`. */
  readonly pgBin: string | undefined;
}

const databaseEnvironment = environment
  .pick({ DATABASE_URL: true, MIGRATION_DATABASE_URL: true, DB_POOL_TIMEOUT: true })
  .extend({ BACKUP_DIR: z.string().min(1).default("backups"), PG_BIN: optionalText });

/** Reads the database commands' configuration from `env`, or throws a {@link ConfigError}. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const e = parsedEnv(databaseEnvironment, env);
  return {
    ownerUrl: e.MIGRATION_DATABASE_URL ?? e.DATABASE_URL,
    connectTimeoutMs: Math.round(e.DB_POOL_TIMEOUT * 1000),
    backupDir: e.BACKUP_DIR,
    pgBin: e.PG_BIN,
  };
}

/** Reads the configuration from `env`, or throws a {@link ConfigError}. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parsedEnv(environment, env);
  return {
    databaseUrl: e.DATABASE_URL,
    migrationDatabaseUrl: e.MIGRATION_DATABASE_URL ?? e.DATABASE_URL,
    appDbRole: e.APP_DB_ROLE,
    appDbPassword: e.APP_DB_PASSWORD,
    secretKey: e.SECRET_KEY,
    encryptionKeys: e.ENCRYPTION_KEYS,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    dbPoolSize: e.DB_POOL_SIZE,
    dbPoolTimeoutMs: Math.round(e.DB_POOL_TIMEOUT * 1000),
    dbStatementTimeoutMs: Math.round(e.DB_STATEMENT_TIMEOUT * 1000),
    cookieSecure: e.COOKIE_SECURE,
    corsOrigins: e.CORS_ORIGINS.split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ""),
    trustedProxies: e.TRUSTED_PROXIES,
    rateLimitClient: e.RATE_LIMIT_CLIENT,
    rateLimitUser: e.RATE_LIMIT_USER,
    redisUrl: e.REDIS_URL,
    adminDistDir: e.ADMIN_DIST_DIR,
    emailFrom: e.EMAIL_FROM,
    appBaseUrl: e.APP_BASE_URL,
  };
}
