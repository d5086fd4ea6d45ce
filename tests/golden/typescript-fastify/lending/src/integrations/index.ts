/** The integrations that act in the app, in the order the spec lists them. */
import type { FastifyInstance } from "fastify";
import { install as oidc } from "./oidc.js";
import { install as sentry } from "./sentry.js";
import { install as stripe } from "./stripe.js";

/** Each one's installer, which `buildApp` calls. */
export const INSTALLERS: readonly ((app: FastifyInstance) => void)[] = [sentry, oidc, stripe];
