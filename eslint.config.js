// ESLint flat config: typescript-eslint's recommended rules plus the type-aware
// rules that catch what swc and jest cannot (they strip types): floating and
// misused promises, non-exhaustive switches, explicit `any`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** The libraries whose SQL rows are typed (query<Row>): the no-unsafe-* rules hold there. */
const TYPED_ROWS = ["access", "activity", "composition", "config", "core", "domain", "graphql", "personal-data", "progress", "reports"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "**/*.js", "**/*.cjs", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_`-prefixed names and rest siblings are how the code drops fields on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
    },
  },
  // Typed rows: in the libraries converted to query<Row>/queryOne<Row> (and typed events), an `any`
  // (a raw row of pg or TypeORM, a JSON value) may not be read, passed on or returned unchecked.
  // Tests there may still hand jest's matchers (typed `any`) around, but not read an untyped row.
  {
    files: TYPED_ROWS.map((lib) => `libs/${lib}/src/**/*.ts`),
    ignores: ["**/*.spec.ts", "**/testing/**"],
    rules: {
      "@typescript-eslint/no-unsafe-argument": "error",
      "@typescript-eslint/no-unsafe-assignment": "error",
      "@typescript-eslint/no-unsafe-call": "error",
      "@typescript-eslint/no-unsafe-member-access": "error",
      "@typescript-eslint/no-unsafe-return": "error",
    },
  },
  {
    files: TYPED_ROWS.flatMap((lib) => [`libs/${lib}/src/**/*.spec.ts`, `libs/${lib}/src/testing/**/*.ts`]),
    rules: {
      "@typescript-eslint/no-unsafe-call": "error",
      "@typescript-eslint/no-unsafe-member-access": "error",
    },
  },
);
