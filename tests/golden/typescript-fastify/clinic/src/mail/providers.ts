/** The mail providers, in the order the spec lists them: the worker tries each in turn. */
import { PROVIDER as sendgrid } from "../integrations/sendgrid.js";
import type { Provider } from "./outbox.js";

/** The providers the worker sends through, first choice first. */
export const PROVIDERS: readonly Provider[] = [sendgrid];
