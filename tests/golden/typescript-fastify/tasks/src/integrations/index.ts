/** The integrations that act in the app, in the order the spec lists them. */
import type { FastifyInstance } from "fastify";

/** Each one's installer, which `buildApp` calls. */
export const INSTALLERS: readonly ((app: FastifyInstance) => void)[] = [];
