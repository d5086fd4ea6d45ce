/** Every migration, by name, in the order they apply. */
import type { Migration } from "kysely/migration";
import * as initial from "./0001_initial.js";
import * as stripe from "./0001_stripe.js";

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "0001_initial": initial,
  "0001_stripe": stripe,
};
