/**
 * Who may do what: the access table of the model, per entity, action and
 * role. A scope says which rows a caller may act on: `all`, only the rows it
 * owns (`own`), or none (403). Admin roles may do everything.
 */
import { forbidden, unauthorized } from "../problems.js";
import { isAdmin, type Principal } from "../security/principal.js";
import type { Action, EntityDef, Rule, Scope } from "./model.js";

/** The caller of one action on one entity, and the rows the action may touch. */
export interface Actor {
  readonly principal: Principal | null;
  readonly scope: Scope;
}

/**
 * The scope a rule gives a role: what it lists, else none. Only the rule's
 * own roles count: a role named like a member of `Object.prototype`
 * (`constructor`) that the rule does not list gets none.
 */
function roleScope(rule: Rule, role: string): Scope {
  return Object.hasOwn(rule.roles, role) ? (rule.roles[role] ?? "none") : "none";
}

/** The rows `principal` (a visitor when `null`) may act on. */
export function scopeOf(entity: EntityDef, action: Action, principal: Principal | null): Scope {
  const rule = entity.access[action];
  if (principal === null) {
    return rule.public ? "all" : "none";
  }
  if (isAdmin(principal)) {
    return "all";
  }
  return roleScope(rule, principal.role);
}

/** The caller, when it may take the action on some rows: 401 or 403 before any row is read. */
export function authorize(entity: EntityDef, action: Action, principal: Principal | null): Actor {
  if (principal === null && !entity.access[action].public) {
    throw unauthorized();
  }
  const scope = scopeOf(entity, action, principal);
  if (scope === "none") {
    throw forbidden(`Your role may not ${action} these records.`);
  }
  return { principal, scope };
}

/** Whether a row with this owner is within the scope. */
export function mayTouch(scope: Scope, ownerId: string | null, userId: string | null): boolean {
  return scope === "all" || (scope === "own" && ownerId !== null && ownerId === userId);
}

/** The scope a field rule or a workflow move gives the caller (admin roles: every row). */
export function ruleScope(rule: Rule, principal: Principal | null): Scope {
  if (principal === null) {
    return rule.public ? "all" : "none";
  }
  if (isAdmin(principal)) {
    return "all";
  }
  return roleScope(rule, principal.role);
}

/** Whether a scope covers a row the caller owns (`mine`) or not. */
export function within(scope: Scope, mine: boolean): boolean {
  return scope === "all" || (scope === "own" && mine);
}
