// Lint for src/, test/ and bench/ (npm test runs it). Type-aware rules from
// typescript-eslint; import hygiene from eslint-plugin-import-x. The layering rule
// itself (which folder may import which) is dependency-cruiser's: .dependency-cruiser.cjs.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "testdata/**", "coverage/**", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    languageOptions: { parserOptions: { project: ["./tsconfig.json", "./src/pprof/flame/viewer/tsconfig.json", "./src/trace/timeline/viewer/tsconfig.json", "./src/apps/web/client/tsconfig.json", "./test/tsconfig.json"], tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-explicit-any": "error",
      "import-x/no-cycle": "error",
      "import-x/no-self-import": "error",
      "import-x/no-useless-path-segments": "error",
      "import-x/no-duplicates": ["error", { "prefer-inline": true }],
      "no-control-regex": "off",
    },
  },
);
