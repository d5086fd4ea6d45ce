/**
 * What the signed-in role may do, read from the generated table: the
 * screens offer an action only when it is allowed. `own` means rows the
 * caller owns; rows owned through a parent are left to the API.
 */
import type { Account, Row } from "./api";
import { ADMIN_ROLES, type Action, type ByRole, type EntitySpec, type FieldSpec, type Role, type Scope } from "./model";

/**
 * A record's own member `key`, never one every object inherits: a field or
 * a role may be named `constructor`, which `{}` answers with `Object`.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function scopeOf(byRole: ByRole, role: string): Scope {
  // The account's role may be one the table does not name (or one named
  // like a member every object inherits, such as `constructor`).
  return own<Scope>(byRole, role) ?? "none";
}

function allows(byRole: ByRole, me: Account, row?: Row): boolean {
  const scope = scopeOf(byRole, me.role);
  if (scope === "all") {
    return true;
  }
  if (scope === "own") {
    return row === undefined || !("owner_id" in row) || row.owner_id === me.user_id;
  }
  return false;
}

/** Whether the role may do `action` (on `row`, when given). */
export function may(entity: EntitySpec, action: Action, me: Account, row?: Row): boolean {
  return allows(entity.access[action], me, row);
}

/** Whether the role sees the field. */
export function mayRead(field: FieldSpec, me: Account, row?: Row): boolean {
  return field.read === undefined || allows(field.read, me, row);
}

/** Whether the role may set the field (workflow fields move by their own buttons). */
export function mayWrite(field: FieldSpec, me: Account, row?: Row): boolean {
  return field.workflow === undefined && (field.write === undefined || allows(field.write, me, row));
}

/** The values the role may move the workflow field to from the row's value. */
export function movesFor(field: FieldSpec, me: Account, row: Row): string[] {
  const workflow = field.workflow;
  const from = row[field.name];
  if (workflow === undefined || typeof from !== "string") {
    return [];
  }
  const admin = ADMIN_ROLES.includes(me.role as Role);
  return Object.entries(workflow.moves)
    .filter(([move, byRole]) => move.startsWith(`${from}>`) && (admin || allows(byRole, me, row)))
    .map(([move]) => move.slice(from.length + 1));
}
