/**
 * The Node.js this project runs on (`.nvmrc`, `engines`). An older one
 * starts the app all the same and then answers every JSON body 422, so
 * the entry points (server, cluster, cli, migrate, the mail worker)
 * refuse it before they do anything.
 */

/** The Node.js major version the project is built and tested on. */
export const NODE_MAJOR = 24;

/** Why `version` (as `process.versions.node` gives it) cannot run `entry`, or `null`. */
export function nodeVersionProblem(entry: string, version: string): string | null {
  const major = Number(version.split(".")[0]);
  return Number.isInteger(major) && major >= NODE_MAJOR
    ? null
    : `${entry} runs on Node.js ${String(NODE_MAJOR)} (.nvmrc), not v${version}: ` +
        `put Node.js ${String(NODE_MAJOR)} first on PATH (for example: nvm use)`;
}

/** Exits with status 1, saying why, when this Node.js cannot run `entry`. */
export function requireNode(entry: string): void {
  const problem = nodeVersionProblem(entry, process.versions.node);
  if (problem !== null) {
    console.error(problem);
    process.exit(1);
  }
}
