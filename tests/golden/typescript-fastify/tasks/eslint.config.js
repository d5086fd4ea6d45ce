// ESLint: typescript-eslint's strictest type-checked rules over the
// sources and tests; Prettier owns the layout.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // The client packages under clients/ lint themselves.
  // archgen's own records (.archgen/) are not the project's code.
  { ignores: ["dist/", "node_modules/", "clients/", ".archgen/", "eslint.config.js"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
);
