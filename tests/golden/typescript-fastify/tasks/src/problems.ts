/** Errors as RFC 9457 problem details (`application/problem+json`, C-API-2). */
import { STATUS_CODES } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { RETRY_AFTER_SECONDS } from "./base.js";

/** The media type of every error body. */
export const PROBLEM_JSON = "application/problem+json";

/** What a 500 says: never a stack trace, SQL or a secret. */
export const SERVER_ERROR = "Something went wrong on our side.";

/** A problem document. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** For 422 (and field-level 403/409): a message per field. */
  readonly errors?: Readonly<Record<string, string>>;
}

/** An error the API answers with a problem document. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: Readonly<Record<string, string>>,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail);
    this.name = "Problem";
  }

  /** The document this error is answered with. */
  body(): ProblemBody {
    return problemBody(this.status, this.detail, this.errors);
  }
}

/** A problem document for `status`. */
export function problemBody(
  status: number,
  detail: string,
  errors?: Readonly<Record<string, string>>,
): ProblemBody {
  const body = { type: "about:blank", title: STATUS_CODES[status] ?? "Error", status, detail };
  return errors === undefined ? body : { ...body, errors };
}

/** 401: no live session. */
export const unauthorized = (detail = "Sign in to continue."): Problem => new Problem(401, detail);

/** 403: the caller may not do this. */
export const forbidden = (
  detail = "You may not do this.",
  errors?: Readonly<Record<string, string>>,
): Problem => new Problem(403, detail, errors);

/** 404: nothing the caller may see is there. */
export const notFound = (detail = "No such resource."): Problem => new Problem(404, detail);

/** 422 with a message per field. */
export const invalid = (
  errors: Readonly<Record<string, string>>,
  detail = "The request is not valid.",
): Problem => new Problem(422, detail, errors);

/** Sends a problem document. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.headers !== undefined) {
    void reply.headers(problem.headers);
  }
  return reply.code(problem.status).type(PROBLEM_JSON).send(problem.body());
}

function isHttpError(error: unknown): error is { statusCode: number; message: string } {
  return (
    typeof error === "object" &&
    error !== null &&
    "statusCode" in error &&
    typeof error.statusCode === "number" &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  );
}

/** SQLSTATEs that say the database is unreachable or going away, not that a request is wrong. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** Errors of the connection itself: refused, reset, ended or timed out while waiting for one. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
]);

/** Whether an error means the database is unavailable (a restart, an outage, a full pool). */
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) {
    return false;
  }
  const code = "code" in error && typeof error.code === "string" ? error.code : "";
  if (UNAVAILABLE_STATES.has(code) || code.startsWith("08") || UNAVAILABLE_CODES.has(code)) {
    return true;
  }
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i.test(
    message,
  );
}

/** 503 with `Retry-After`: the database is unavailable; nothing of the cause is told. */
export const unavailable = (): Problem =>
  new Problem(503, "The service is unavailable; try again shortly.", undefined, {
    "retry-after": String(RETRY_AFTER_SECONDS),
  });

/** What an integration does with an error answered 500 (Sentry reports it). */
export type Reporter = (error: unknown, request: FastifyRequest) => void;

const reporters = new WeakMap<FastifyInstance, Reporter[]>();

/** Has `report` called with every error `app` answers 500. */
export function reportUnhandledErrors(app: FastifyInstance, report: Reporter): void {
  reporters.set(app, [...(reporters.get(app) ?? []), report]);
}

/**
 * Answers every error as a problem document: a {@link Problem} as it says,
 * a client error Fastify raised (a body that is no JSON, one too large)
 * with its status, an unavailable database 503 with `Retry-After`, anything
 * else 500 with nothing of its cause.
 */
export function registerProblems(app: FastifyInstance): void {
  app.setNotFoundHandler(async (_request, reply) => sendProblem(reply, notFound()));
  app.setErrorHandler(async (error: unknown, request, reply) => {
    if (error instanceof Problem) {
      return sendProblem(reply, error);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      // A member the schema refuses: a message per field (`body` for the whole).
      const errors: Record<string, string> = {};
      for (const issue of error.validation) {
        const field = issue.instancePath.replace(/^\//, "").replaceAll("/", ".") || "body";
        if (!Object.hasOwn(errors, field)) {
          errors[field] = issue.message ?? "is not valid";
        }
      }
      return sendProblem(reply, invalid(errors));
    }
    if (isHttpError(error)) {
      // A body Fastify could not parse is the client's input: 422.
      const status = error.statusCode === 400 ? 422 : error.statusCode;
      const detail = status === 422 ? "The request body is not valid JSON." : error.message;
      return sendProblem(
        reply,
        new Problem(status, detail, status === 422 ? { body: detail } : undefined),
      );
    }
    if (isUnavailable(error)) {
      request.log.warn({ err: error }, "the database is unavailable");
      return sendProblem(reply, unavailable());
    }
    request.log.error({ err: error }, "unhandled error");
    for (const report of reporters.get(app) ?? []) {
      report(error, request);
    }
    return sendProblem(reply, new Problem(500, SERVER_ERROR));
  });
}
