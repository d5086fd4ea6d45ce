/** The path every API route is under (C-API-1). */
export const BASE_PATH = "/api";

/** Seconds a client is told to wait when the database is unavailable (503, C-FAULT). */
export const RETRY_AFTER_SECONDS = 5;
