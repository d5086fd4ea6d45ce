/** The mail providers, in the order the spec lists them: the worker tries each in turn. */
import { PROVIDER as smtp } from "../integrations/smtp.js";
import type { Provider } from "./outbox.js";

/** The providers the worker sends through, first choice first. */
export const PROVIDERS: readonly Provider[] = [smtp];
