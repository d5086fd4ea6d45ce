// ESLint's recommended rules, typescript-eslint's strict and stylistic rules
// with type information (every .ts/.tsx file is in tsconfig.json's project),
// and the React hooks rules (including the React Compiler's). The plain
// JavaScript files (Metro's config, the browser tests' server, this file)
// run on Node and are linted without types. Prettier checks the formatting.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores(["dist/", ".expo/", "web-build/", "test-results/", "playwright-report/"]),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  reactHooks.configs.flat.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    // Metro loads its config as CommonJS, where `require` is how a file imports.
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
