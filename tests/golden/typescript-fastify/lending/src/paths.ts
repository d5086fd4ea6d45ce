/** Where the project's files are, whether the code runs from `src/` or `dist/src/`. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json above ${from}`);
    }
    dir = parent;
  }
  return dir;
}

/** The project's root: the folder of its `package.json`. */
export const PROJECT_ROOT = projectRoot(import.meta.dirname);

/** The OpenAPI document archgen wrote for this API. */
export const OPENAPI_PATH = join(PROJECT_ROOT, "docs", "openapi.json");
