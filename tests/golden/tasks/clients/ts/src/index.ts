/**
 * The typed client of the API: openapi-fetch over the types of
 * `docs/openapi.json`, with the session and CSRF layer, typed errors,
 * cursor iteration and the model's rules.
 */
export * from "./client.js";
export * from "./model.js";
export type { components, operations, paths } from "./schema.js";
