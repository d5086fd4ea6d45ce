// Metro bundles the typed client from `../ts` (a `file:` dependency, so a
// symlink in node_modules) and resolves its own dependencies from there.
const path = require("node:path");
const { getDefaultConfig } = require("expo/metro-config");

const config = getDefaultConfig(__dirname);
const client = path.resolve(__dirname, "../ts");

config.watchFolders = [...(config.watchFolders ?? []), client];
config.resolver.nodeModulesPaths = [path.resolve(__dirname, "node_modules"), path.resolve(client, "node_modules")];

module.exports = config;
