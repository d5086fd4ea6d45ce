/**
 * The API as the mobile app calls it, through the project's typed client
 * (`clients/ts`): the cookie session, `X-CSRF-Token` on every
 * state-changing call, RFC 9457 problems as `ApiError` with field errors,
 * and cursor pages. Sign-in and the current account go through the
 * client's typed routes; the entity screens are the same for every entity
 * and call the routes the generated table (`./model`) names.
 */
import { Platform } from "react-native";
import {
  ApiError,
  CSRF_COOKIE,
  createClient,
  documentCookies,
  unwrap,
  type ApiClient,
  type CookieSource,
  type Page,
} from "team-tasks-client";

import { exactParse, exactStringify } from "./exact";
import { AUTH, type EntitySpec } from "./model";

export { ApiError };
export type { Page };

/** A row as the API answers it. */
export type Row = Record<string, unknown> & { id: string };

/** The signed-in account. */
export interface Account {
  user_id: string;
  email: string;
  role: string;
}

/**
 * Where the API is: `EXPO_PUBLIC_API_URL` when the build names it, else
 * the page's own origin on the web, else `http://localhost:8000` (a
 * simulator on the same machine; an Android emulator wants
 * `http://10.0.2.2:8000`).
 */
export function apiUrl(): string {
  // Expo writes `process.env.EXPO_PUBLIC_*` into the build where it is spelled out like this; its typings say `any`.
  const named: unknown = process.env.EXPO_PUBLIC_API_URL;
  if (typeof named === "string" && named !== "") {
    return named;
  }
  if (Platform.OS === "web" && typeof window !== "undefined") {
    return window.location.origin;
  }
  return "http://localhost:8000";
}

/**
 * The session's cookies on a device: the platform's HTTP stack keeps and
 * sends the cookies itself, and the sign-in answer carries the CSRF token,
 * which the app keeps for the session.
 */
export class DeviceCookies implements CookieSource {
  #token: string | undefined;

  get(name: string): string | undefined {
    return name === CSRF_COOKIE ? this.#token : undefined;
  }

  /** Keeps the token of a new session (`undefined` forgets it). */
  keep(token: string | undefined): void {
    this.#token = token;
  }
}

/** An untyped call of the client, for paths the generated table names. */
type Call = (
  path: string,
  init?: {
    body?: unknown;
    params?: { query?: Record<string, string> };
    parseAs?: "text";
    bodySerializer?: (body: unknown) => string;
  },
) => Promise<{ data?: unknown; response: Response }>;

/**
 * A row's JSON both ways with whole numbers past ±2^53 exact (`./exact`):
 * the answer read as text, the body written by `exactStringify`.
 */
const EXACT = { parseAs: "text", bodySerializer: exactStringify } as const;

/** The answer of an `EXACT` call, parsed. */
function exact(answer: { data?: unknown }): unknown {
  return typeof answer.data === "string" ? exactParse(answer.data) : answer.data;
}

/** The client's methods over any path. */
interface AnyPath {
  GET: Call;
  POST: Call;
  PATCH: Call;
}

/** What an `Api` is made with. */
export interface ApiOptions {
  /** The API's origin (`apiUrl()` by default). */
  baseUrl?: string;
  /** The fetch to use (the global one by default). */
  fetch?: (request: Request) => Promise<Response>;
  /** Where the session's cookies live (the document's on the web, else `DeviceCookies`). */
  cookies?: CookieSource;
}

/** The calls the screens make. Every call rejects with `ApiError` on an error answer. */
export class Api {
  /** The typed client of every route. */
  readonly client: ApiClient;
  readonly #any: AnyPath;
  readonly #device: DeviceCookies | undefined;
  #ended: (() => void) | undefined;

  constructor(options: ApiOptions = {}) {
    const web = Platform.OS === "web" && typeof document !== "undefined";
    const cookies = options.cookies ?? (web ? documentCookies : new DeviceCookies());
    this.#device = cookies instanceof DeviceCookies ? cookies : undefined;
    this.client = createClient({
      baseUrl: options.baseUrl ?? apiUrl(),
      cookies,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.#any = this.client as unknown as AnyPath;
    // Runs before the client's own layer turns the answer into an ApiError.
    this.client.use({
      onResponse: ({ request, response }) => {
        const path = new URL(request.url).pathname;
        if (response.status === 401 && !(Object.values(AUTH) as string[]).includes(path)) {
          this.#ended?.();
        }
        return undefined;
      },
    });
  }

  /** Sets what happens when a signed-in call meets 401: the session ended (timed out or revoked). */
  whenSessionEnds(handler: (() => void) | undefined): void {
    this.#ended = handler;
  }

  /** Starts a session. */
  async signIn(email: string, password: string): Promise<Account> {
    const session = unwrap(await this.client.POST(AUTH.login, { body: { email, password } }));
    this.#device?.keep(session.csrf_token);
    return { user_id: session.user_id, email: session.email, role: session.role };
  }

  /** Ends the session. */
  async signOut(): Promise<void> {
    try {
      await this.client.POST(AUTH.logout);
    } finally {
      this.#device?.keep(undefined);
    }
  }

  /** The signed-in account. */
  async me(): Promise<Account> {
    const account = unwrap(await this.client.GET(AUTH.me));
    return { user_id: account.user_id, email: account.email, role: account.role };
  }

  /** One page of an entity's rows the caller may see. */
  async page(entity: EntitySpec, cursor?: string): Promise<Page<Row>> {
    const query: Record<string, string> = cursor === undefined ? {} : { cursor };
    return exact(await this.#any.GET(entity.path, { params: { query }, ...EXACT })) as Page<Row>;
  }

  /** One row. */
  async row(entity: EntitySpec, id: string): Promise<Row> {
    return exact(await this.#any.GET(rowPath(entity, id), EXACT)) as Row;
  }

  /** Creates a row. */
  async create(entity: EntitySpec, values: Record<string, unknown>): Promise<Row> {
    return exact(await this.#any.POST(entity.path, { body: values, ...EXACT })) as Row;
  }

  /** Changes a row's fields. */
  async update(entity: EntitySpec, id: string, values: Record<string, unknown>): Promise<Row> {
    return exact(await this.#any.PATCH(rowPath(entity, id), { body: values, ...EXACT })) as Row;
  }
}

function rowPath(entity: EntitySpec, id: string): string {
  return `${entity.path}/${encodeURIComponent(id)}`;
}
