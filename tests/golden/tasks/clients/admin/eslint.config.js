/**
 * ESLint: the recommended JavaScript rules, typescript-eslint's strict and
 * stylistic rule sets with type information (every `.ts`/`.tsx` file is in
 * `tsconfig.json`), and the React hooks rules. Formatting is Prettier's
 * (`npm run lint` checks both, `npm run format` fixes what it can).
 */
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores(["dist/", "test-results/", "playwright-report/"]),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  reactHooks.configs.flat.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers in template strings (`HTTP ${status}`) read as they should.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // Handlers like `onClick={() => setOpen(false)}` stay one line (the rule's own option for this).
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
    },
  },
  {
    // This file is JavaScript, outside the TypeScript project.
    files: ["**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
