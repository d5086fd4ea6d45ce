// The lint rules: ESLint's recommended rules and typescript-eslint's strict,
// type-checked and stylistic ones. Formatting is Prettier's (`.prettierrc.json`).
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores(["dist/", "src/schema.ts"]),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers read well in messages and URLs; objects and `any` stay refused.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // Leaving a member out by destructuring (`{ name: _left, ...rest }`) is the
      // point; a parameter named `_n` is unused on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, argsIgnorePattern: "^_" }],
      // node:test runs the promises `describe` and `test` return itself.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "test", "it"] }] },
      ],
    },
  },
  { files: ["**/*.js"], extends: [tseslint.configs.disableTypeChecked] },
);
