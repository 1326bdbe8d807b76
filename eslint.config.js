// ESLint for the project (npm run lint; .ci/run fails on any finding). Which files, which rules and
// why are in the README ("Lint"). In short: every TypeScript file of the tsconfig.json program
// (Node code and the portable AssemblyScript of protocol/) gets the type-aware rules that catch real
// bugs; AssemblyScript-only sources (firmware/, test/wasm/) get the rules that need no types.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** AssemblyScript-only sources: compiled by asc, outside the tsconfig.json program. */
const ASSEMBLYSCRIPT_ONLY = ["firmware/**/*.ts", "test/wasm/**/*.ts"];

/**
 * TypeScript's parser for AssemblyScript: AssemblyScript decorates functions and globals
 * (`@inline`, `@external("hal", "x")`), which TypeScript syntax does not allow. They are blanked
 * out (same length, so every reported position is right) before parsing; asc checks them.
 */
const assemblyScriptParser = {
  meta: { name: "assemblyscript-via-typescript-eslint" },
  parseForESLint(code, options) {
    const blanked = code.replace(/^([ \t]*)(@(?:inline|external|global|lazy|unmanaged|final|operator|builtin|unsafe)(?:\([^)\n]*\))?)/gm, (_, indent, decorator) => indent + " ".repeat(decorator.length));
    return tseslint.parser.parseForESLint(blanked, options);
  },
};

export default tseslint.config(
  {
    ignores: ["node_modules/**", "build/**", "var/**", "test/vectors/**"],
  },
  {
    files: ["**/*.ts", "**/*.js"],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Parameters are not checked: a function that implements an interface (OSDP handlers, HAL
      // stubs, card contacts) names parameters it does not need. Unused variables and imports are.
      "@typescript-eslint/no-unused-vars": ["error", { args: "none", caughtErrors: "none", ignoreRestSiblings: true }],
      // A variable a closure reads before its one assignment (a wasm memory captured by imports) cannot be const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ASSEMBLYSCRIPT_ONLY,
    languageOptions: { parser: assemblyScriptParser },
    rules: {
      // AssemblyScript integer literals are exact up to 64 bits (u64/i64 constants of SHA-512, field
      // arithmetic); the rule assumes JavaScript doubles.
      "no-loss-of-precision": "off",
    },
  },
  {
    files: ["**/*.ts"],
    ignores: ASSEMBLYSCRIPT_ONLY,
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Bugs the type checker alone does not catch:
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-unnecessary-condition": "error",
      "@typescript-eslint/return-await": ["error", "error-handling-correctness-only"],
      // Off, with the reason:
      // - no-unsafe-*: they flag every use of data typed `any` by JSON.parse (the published vectors,
      //   HTTP bodies); those values are checked by the tests and validators that read them, and the
      //   rules are the slowest of the set.
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // - require-await: an async function without await is a style question, not a bug.
      "@typescript-eslint/require-await": "off",
      // - no-unsafe-enum-comparison: binaryen's typings declare its expression ids as enums that
      //   its own API returns as numbers (test/crypto/wasm-taint.ts).
      "@typescript-eslint/no-unsafe-enum-comparison": "off",
    },
  },
);
