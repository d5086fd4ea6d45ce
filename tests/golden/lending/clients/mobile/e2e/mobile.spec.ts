/**
 * The mobile app's web build in a real browser, against the running
 * backend: sign in, create and edit a row of each entity kept per account
 * (parents first, relations picked from the rows offered), a field error
 * next to its field, sign out. The account comes from the environment
 * (`ADMIN_EMAIL`/`ADMIN_PASSWORD`, of the plan's role); the gate makes it.
 */
import { expect, test, type Page } from "@playwright/test";

import { PLAN, type RowPlan } from "./plan";

// Expo's typings give every variable of `process.env` the type `any`: read them as the strings they are.
const env: Readonly<Record<string, string | undefined>> = process.env;
const account = { email: env.ADMIN_EMAIL ?? "", password: env.ADMIN_PASSWORD ?? "" };

test.describe.configure({ mode: "serial" });

async function signIn(page: Page) {
  await page.goto("./");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("role")).toHaveText(PLAN.admin ?? "");
}

async function fill(page: Page, row: RowPlan) {
  for (const { field, kind, value } of row.fill) {
    if (kind === "boolean") {
      const box = page.getByTestId(`input-${field}`).locator("input");
      await (value === true ? box.check() : box.uncheck());
    } else if (kind === "enum") {
      await page
        .getByTestId(`choices-${field}`)
        .getByRole("radio", { name: String(value), exact: true })
        .click();
    } else {
      await page.getByTestId(`input-${field}`).fill(String(value));
    }
  }
  for (const key of row.relations) {
    await page.getByTestId(`choice-${key}`).first().click();
  }
}

test("signs in, creates and edits a row of each entity kept per account, and signs out", async ({ page }) => {
  test.skip(account.email === "", "no account: ADMIN_EMAIL is not set");
  await signIn(page);
  for (const row of PLAN.rows) {
    await page.getByTestId(`open-${row.collection}`).click();
    await page.getByRole("button", { name: "New", exact: true }).click();
    await fill(page, row);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
    const shown = row.fill.find((f) => f.kind === "text" || f.kind === "textarea");
    if (shown !== undefined) {
      await expect(page.getByTestId(`value-${shown.field}`)).toHaveText(String(shown.value));
    }
    if (row.edit !== null && row.update) {
      await page.getByRole("button", { name: "Edit", exact: true }).click();
      await page.getByTestId(`input-${row.edit.field}`).fill(row.edit.value);
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await expect(page.getByTestId(`value-${row.edit.field}`)).toHaveText(row.edit.value);
    }
    await page.getByRole("button", { name: "Back", exact: true }).click();
    await expect(page.getByTestId("row").first()).toBeVisible();
    await page.getByRole("button", { name: "Back", exact: true }).click();
  }
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Sign in", exact: true })).toBeVisible();
});

test("a field error shows next to its field", async ({ page }) => {
  const target = PLAN.fieldError;
  test.skip(account.email === "" || target === null, "no account, or no required text field");
  if (target === null) {
    return;
  }
  await signIn(page);
  await page.getByTestId(`open-${target.collection}`).click();
  await page.getByRole("button", { name: "New", exact: true }).click();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId(`error-${target.field}`)).toBeVisible();
});
