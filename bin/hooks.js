// Module resolution hooks the wsksim command registers (node:module's register) after tsx's, so
// that a scenario file loads the same way wherever it lives.
//
// 'wsksim' (and 'wsksim/…') imported from any file resolves to the package running the command,
// as though that package imported itself through its package.json "exports": a scenario outside
// the checkout, or in a project holding another copy, gets the very modules the command runs
// (one Simulation class, one scenario registry). Without this a file outside the package finds
// no 'wsksim' at all. The command adds the 'wsksim-source' condition when it runs from a checkout,
// whose "exports" then give src/index.ts instead of the compiled dist/index.js.
//
// A scenario is an ES module (`export default defineScenario(…)`) and wsksim is ESM-only, so a
// .ts file outside node_modules loads as one even where Node's rules say CommonJS (no
// package.json, or one without "type": "module"); as CommonJS, tsx's require of the file in the
// middle of its import failed with ERR_REQUIRE_CYCLE_MODULE.

/** @type {string} */
let packageURL;
/** @type {string[]} */
let conditions = [];

/** @param {{ packageURL: string, conditions: string[] }} data */
export function initialize(data) {
  packageURL = data.packageURL;
  conditions = data.conditions;
}

/**
 * @param {string} specifier
 * @param {{ conditions: string[], parentURL?: string }} context
 * @param {(specifier: string, context?: object) => Promise<object>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'wsksim' || specifier.startsWith('wsksim/')) {
    return nextResolve(specifier, {
      ...context,
      parentURL: packageURL,
      conditions: [...context.conditions, ...conditions],
    });
  }
  const resolved = await nextResolve(specifier, context);
  if (
    resolved.format === 'commonjs' &&
    resolved.url.startsWith('file:') &&
    resolved.url.endsWith('.ts') &&
    !resolved.url.includes('/node_modules/')
  ) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
