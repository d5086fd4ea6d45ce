/** The path every API route is under (C-API-1). */
export const BASE_PATH = "/api";
