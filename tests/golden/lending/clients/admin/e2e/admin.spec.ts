/**
 * The admin app in a real browser, against the running backend that
 * serves it: sign in, create, edit and delete a row of each entity the
 * admin may write, a field error next to its field, an action a less
 * privileged role is not offered, a workflow move, a many-to-many link
 * set and shown, a list filtered on a relation, a session that ends
 * mid-way back at the sign-in screen, a list sorted and
 * filtered, the audit log and the users for admins, the data export and
 * the account's erasure, sign out. The erasure runs last: it deletes the
 * less privileged account.
 *
 * Accounts come from the environment (`ADMIN_EMAIL`/`ADMIN_PASSWORD`,
 * and `USER_EMAIL`/`USER_PASSWORD` of the plan's less privileged role);
 * the gate creates them. Tests whose account is missing are skipped.
 */
import { expect, test, type Page } from "@playwright/test";

import { ADMIN_LISTS, ENTITIES } from "../src/model";
import { PLAN, type RowPlan } from "./plan";

const admin = { email: process.env.ADMIN_EMAIL ?? "", password: process.env.ADMIN_PASSWORD ?? "" };
const user = { email: process.env.USER_EMAIL ?? "", password: process.env.USER_PASSWORD ?? "" };

test.describe.configure({ mode: "serial" });

async function signIn(page: Page, account: { email: string; password: string }, role: string) {
  await page.goto("./");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("role")).toHaveText(role);
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
}

async function fillCreate(page: Page, row: RowPlan) {
  for (const fill of row.fill) {
    const input = page.locator(`#field-${fill.field}`);
    if (fill.kind === "boolean") {
      await input.setChecked(fill.value === true);
    } else if (fill.kind === "enum") {
      await input.selectOption(String(fill.value));
    } else {
      await input.fill(String(fill.value));
    }
  }
  for (const key of row.relations) {
    const select = page.locator(`#field-${key}`);
    await expect(select.locator("option").nth(1)).toBeAttached();
    await select.selectOption({ index: 1 });
  }
}

/** The row id the detail screen's address names. */
function rowId(page: Page): string {
  return decodeURIComponent(new URL(page.url()).hash.split("/")[2] ?? "");
}

test("the admin creates, edits and deletes a row of each entity, moves a workflow and links rows", async ({ page }) => {
  test.skip(!admin.email || PLAN.admin === null, "no admin account (ADMIN_EMAIL) or no admin role");
  for (const skipped of PLAN.skipped) {
    test.info().annotations.push({ type: "skipped entity", description: `${skipped.entity}: ${skipped.reason}` });
  }
  await signIn(page, admin, PLAN.admin ?? "");
  const made = new Map<string, string>();
  for (const row of PLAN.rows) {
    await page.goto(`./#/${row.collection}`);
    await page.getByRole("link", { name: `New ${row.label.toLowerCase()}`, exact: true }).click();
    await fillCreate(page, row);
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.getByRole("heading", { name: row.label, exact: true })).toBeVisible();
    const id = rowId(page);
    expect(id).not.toBe("");
    made.set(row.collection, id);
    if (row.update && row.edit) {
      await page.getByRole("link", { name: "Edit", exact: true }).click();
      await page.locator(`#field-${row.edit.field}`).fill(row.edit.value);
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.locator(`dd[data-field="${row.edit.field}"]`)).toHaveText(row.edit.value);
    }
  }
  // A list filtered on a relation holds the row made under the parent made.
  const child = PLAN.rows.find((r) => r.relations.length > 0);
  if (child) {
    const key = child.relations[0] ?? "";
    const entity = ENTITIES.find((e) => e.collection === child.collection);
    const parent = entity?.relations.find((r) => r.key === key)?.target ?? "";
    const parentId = made.get(parent) ?? "";
    await page.goto(`./#/${child.collection}`);
    await page.getByLabel(/^Filter on/).selectOption(key);
    const value = page.getByRole("combobox", { name: "Value", exact: true });
    await expect(value.locator(`option[value="${parentId}"]`)).toBeAttached();
    await value.selectOption(parentId);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByRole("list", { name: "Filters" })).toContainText(parentId);
    await expect(
      page.locator(`tbody a[href="#/${child.collection}/${made.get(child.collection) ?? ""}"]`),
    ).toBeVisible();
  }
  // Links first: a workflow move may freeze the row.
  const link = PLAN.link;
  if (link) {
    const target = made.get(link.target) ?? "";
    await page.goto(`./#/${link.collection}/${made.get(link.collection) ?? ""}/edit`);
    const select = page.locator(`#field-${link.key}`);
    await expect(select.locator(`option[value="${target}"]`)).toBeAttached();
    await select.selectOption([target]);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator(`dd[data-field="${link.key}"]`)).toHaveText(target);
  }
  const workflow = PLAN.workflow;
  if (workflow) {
    await page.goto(`./#/${workflow.collection}/${made.get(workflow.collection) ?? ""}`);
    await expect(page.locator(`dd[data-field="${workflow.field}"]`)).toHaveText(workflow.from);
    await page.getByRole("button", { name: new RegExp(`: ${workflow.to}$`) }).click();
    await expect(page.locator(`dd[data-field="${workflow.field}"]`)).toHaveText(workflow.to);
  }
  page.on("dialog", (dialog) => void dialog.accept());
  for (const row of [...PLAN.rows].reverse().filter((r) => r.delete)) {
    await page.goto(`./#/${row.collection}/${made.get(row.collection) ?? ""}`);
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`#/${row.collection}$`));
  }
  await signOut(page);
});

test("a field error shows next to its field", async ({ page }) => {
  const case_ = PLAN.fieldError;
  test.skip(!admin.email || case_ === null, "no admin account or no entity with a required text field");
  if (case_ === null) return;
  await signIn(page, admin, PLAN.admin ?? "");
  await page.goto(`./#/${case_.collection}/new`);
  await page.getByRole("button", { name: "Create" }).click();
  const input = page.locator(`#field-${case_.field}`);
  await expect(input).toHaveAttribute("aria-invalid", "true");
  const error = page.locator(`#field-${case_.field}-error`);
  await expect(error).toBeVisible();
  await expect(input).toHaveAttribute("aria-describedby", `field-${case_.field}-error`);
  await signOut(page);
});

test("a session that ends mid-way returns to the sign-in screen", async ({ page }) => {
  test.skip(!admin.email, "no admin account");
  await signIn(page, admin, PLAN.admin ?? "");
  // The session ends behind the app's back (as at its timeout).
  await page.context().clearCookies();
  // A list only a session may read (an entity's may be public).
  const list =
    ADMIN_LISTS.users !== null
      ? "#/~users"
      : ADMIN_LISTS.auditEvents !== null
        ? "#/~audit"
        : `#/${ENTITIES[0]?.collection ?? ""}`;
  await page.getByRole("navigation", { name: "Entities" }).locator(`a[href="${list}"]`).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("Your session has ended. Sign in again.");
});

test("a less privileged role is not offered what it may not do", async ({ page }) => {
  const case_ = PLAN.forbidden;
  test.skip(!user.email || case_ === null, "no less privileged account (USER_EMAIL) or nothing it may not do");
  if (case_ === null) return;
  await signIn(page, user, case_.role);
  await page.goto(`./#/${case_.collection}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: `New ${case_.label.toLowerCase()}`, exact: true })).toHaveCount(0);
  await signOut(page);
});

test("the admin sorts and filters a list", async ({ page }) => {
  const row = PLAN.rows.find((r) => r.delete);
  test.skip(!admin.email || row === undefined, "no admin account or no entity the admin may create and delete");
  if (row === undefined) return;
  const entity = ENTITIES.find((e) => e.collection === row.collection);
  const text = entity?.fields.find((f) => f.filterable && ["text", "textarea", "email"].includes(f.kind));
  await signIn(page, admin, PLAN.admin ?? "");
  await page.goto(`./#/${row.collection}/new`);
  await fillCreate(page, row);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: row.label, exact: true })).toBeVisible();
  const id = rowId(page);
  await page.goto(`./#/${row.collection}`);
  await page.getByLabel(/^Sort by/).selectOption("-created_at");
  // Newest first: the row just made leads.
  await expect(page.locator("tbody tr").first().getByRole("link", { name: "Open" })).toHaveAttribute(
    "href",
    `#/${row.collection}/${id}`,
  );
  if (text !== undefined) {
    await page.getByLabel(/^Filter on/).selectOption(text.name);
    // By role and whole name: a field called "value" puts the word in the selects' options too.
    await page.getByRole("textbox", { name: "Value", exact: true }).fill("a value no row has");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByText("No rows match the filters.")).toBeVisible();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect(page.locator("tbody tr").first()).toBeVisible();
  }
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`./#/${row.collection}/${id}`);
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`#/${row.collection}$`));
  await signOut(page);
});

test("an admin reads the audit log and the users, and downloads their own data", async ({ page }) => {
  test.skip(!admin.email || PLAN.admin === null, "no admin account (ADMIN_EMAIL) or no admin role");
  await signIn(page, admin, PLAN.admin ?? "");
  await page.getByRole("link", { name: "Audit log", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  // The earlier tests' writes are in it.
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await page.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await page.getByRole("link", { name: "Your account", exact: true }).click();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download my data" }).click();
  expect((await download).suggestedFilename()).toBe("my-data.json");
  await signOut(page);
});

test("a user is not offered the admin lists, and deletes their own account", async ({ page }) => {
  const case_ = PLAN.forbidden;
  test.skip(!user.email || case_ === null, "no less privileged account (USER_EMAIL)");
  if (case_ === null) return;
  await signIn(page, user, case_.role);
  await expect(page.getByRole("link", { name: "Audit log", exact: true })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Users", exact: true })).toHaveCount(0);
  await page.getByRole("link", { name: "Your account", exact: true }).click();
  const erase = page.getByRole("button", { name: "Delete my account" });
  await expect(erase).toBeDisabled();
  await page.getByLabel(/I understand/).check();
  await erase.click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  // The account is gone: signing in again fails.
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
});
