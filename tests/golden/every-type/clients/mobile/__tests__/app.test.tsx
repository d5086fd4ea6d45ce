/**
 * The app's screens against a fake API that answers as the real one does
 * (the same typed client underneath, with its session and CSRF layer):
 * sign-in, the role's entities, a list, a refused create with its field
 * errors next to the fields, a session that ends mid-way, and sign-out.
 */
import { describe, expect, test } from "@jest/globals";
import { configure, fireEvent, render, screen, waitFor } from "@testing-library/react-native";

import App, { entitiesFor } from "../App";
import { Api, DeviceCookies } from "../src/api";
import { ADMIN_ROLES, AUTH, ROLES } from "../src/model";

// A busy build machine renders the first screen slowly: wait for it.
configure({ asyncUtilTimeout: 10_000 });

const ROLE: string = ADMIN_ROLES[0] ?? ROLES[0];
const ME = { user_id: "00000000-0000-4000-8000-000000000001", email: "ada@example.com", role: ROLE };
const TOKEN = "csrf-token-from-sign-in";

/** A call the fake API received. */
interface Seen {
  method: string;
  path: string;
  csrf: string | null;
  body: unknown;
}

function json(status: number, body: unknown, type = "application/json"): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

/** A fake API: sign-in, one row per list (or 401 once the session `expired`), and a 422 naming the first field on every create. */
function fakeApi(expired = false): { api: Api; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const text = await request.text();
    seen.push({
      method: request.method,
      path: url.pathname,
      csrf: request.headers.get("X-CSRF-Token"),
      body: text === "" ? undefined : (JSON.parse(text) as unknown),
    });
    if (url.pathname === AUTH.login) {
      return json(200, { ...ME, csrf_token: TOKEN });
    }
    if (url.pathname === AUTH.logout) {
      return new Response(null, { status: 204 });
    }
    if (request.method === "POST") {
      const entity = entitiesFor(ME).find((e) => e.path === url.pathname);
      const field = entity?.fields[0]?.name ?? "name";
      return json(
        422,
        { type: "about:blank", title: "Unprocessable Content", status: 422, errors: { [field]: "is required" } },
        "application/problem+json",
      );
    }
    if (expired) {
      return json(401, { type: "about:blank", title: "Unauthorized", status: 401 }, "application/problem+json");
    }
    return json(200, { items: [{ id: "row-1" }], next_cursor: null });
  };
  return { api: new Api({ baseUrl: "http://api.test", fetch, cookies: new DeviceCookies() }), seen };
}

async function signIn() {
  fireEvent.changeText(screen.getByLabelText("Email"), ME.email);
  fireEvent.changeText(screen.getByLabelText("Password"), "correct horse battery staple");
  fireEvent.press(screen.getByRole("button", { name: "Sign in" }));
  await screen.findByText("Your data");
}

describe("the mobile app", () => {
  test("signs in with the typed client and shows the role and its entities", async () => {
    const { api, seen } = fakeApi();
    render(<App api={api} />);
    await signIn();
    expect(screen.getByTestId("role")).toHaveTextContent(ROLE);
    for (const entity of entitiesFor(ME)) {
      expect(screen.getByRole("button", { name: entity.plural })).toBeTruthy();
    }
    expect(seen[0]).toMatchObject({ method: "POST", path: AUTH.login, body: { email: ME.email } });
  });

  test("lists rows, and shows a refused create's field errors next to their fields", async () => {
    const entity = entitiesFor(ME)[0];
    if (entity === undefined) {
      return;
    }
    const { api, seen } = fakeApi();
    render(<App api={api} />);
    await signIn();
    fireEvent.press(screen.getByRole("button", { name: entity.plural }));
    await screen.findByText("row-1");
    fireEvent.press(screen.getByRole("button", { name: "New" }));
    fireEvent.press(screen.getByRole("button", { name: "Save" }));
    const field = entity.fields[0]?.name ?? "name";
    await waitFor(() => {
      expect(screen.getByTestId(`error-${field}`)).toHaveTextContent("is required");
    });
    const create = seen.find((call) => call.method === "POST" && call.path === entity.path);
    expect(create?.csrf).toBe(TOKEN);
  });

  test("returns to the sign-in screen when the session ends mid-way", async () => {
    const entity = entitiesFor(ME)[0];
    if (entity === undefined) {
      return;
    }
    const { api } = fakeApi(true);
    render(<App api={api} />);
    await signIn();
    fireEvent.press(screen.getByRole("button", { name: entity.plural }));
    await screen.findByRole("heading", { name: "Sign in" });
    expect(screen.getByText("Your session has ended. Sign in again.")).toBeTruthy();
  });

  test("signs out back to the sign-in screen", async () => {
    const { api, seen } = fakeApi();
    render(<App api={api} />);
    await signIn();
    fireEvent.press(screen.getByRole("button", { name: "Sign out" }));
    await screen.findByRole("heading", { name: "Sign in" });
    expect(seen.some((call) => call.path === AUTH.logout && call.csrf === TOKEN)).toBe(true);
  });
});
