/**
 * The Moodle import's entry (import-command.ts) loads only the libraries' `headless` parts: followed import by import
 * from its source (type-only imports left out, as swc erases them), none of the HTTP side's packages is reached.
 * Loading them cost bench:import about a second of CPU and 40 MiB of its 200 MiB ceiling. What it runs is tested by
 * test/e2e/interop-moodle.e2e.spec.ts (runCli sends `import moodle-logs` there).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PATHS = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;

/** What a module specifier of `from` names: a file of ours, or a package. */
function resolveSpecifier(from: string, specifier: string): { file: string } | { pkg: string } {
  if (specifier.startsWith('.')) {
    const base = resolve(dirname(from), specifier);
    const file = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
    if (!file) throw new Error(`${relative(ROOT, from)}: cannot resolve ${specifier}`);
    return { file };
  }
  const exact = PATHS[specifier];
  if (exact) return { file: resolve(ROOT, exact[0]) };
  const lib = /^@learnstream\/([^/]+)$/.exec(specifier);
  if (lib) return { file: resolve(ROOT, PATHS['@learnstream/*'][0].replace('*', lib[1])) };
  if (specifier.startsWith('@learnstream/')) throw new Error(`${relative(ROOT, from)}: ${specifier} is in no path of tsconfig.json`);
  return { pkg: specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0] };
}

/** The specifiers a file loads at run time: type-only imports and exports are erased. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const found: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : null;
      if (!named || named.length === 0 || !named.every((e) => e.isTypeOnly)) found.push(node.moduleSpecifier.text);
    }
  }
  return found;
}

/** Every package reached from `entry`, with the chain of files that reaches it first. */
function packagesReached(entry: string): Map<string, string[]> {
  const via = new Map<string, string | null>([[entry, null]]);
  const packages = new Map<string, string[]>();
  const chain = (file: string) => {
    const files: string[] = [];
    for (let f: string | null | undefined = file; f; f = via.get(f)) files.unshift(relative(ROOT, f));
    return files;
  };
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    for (const specifier of runtimeImports(file)) {
      const target = resolveSpecifier(file, specifier);
      if ('pkg' in target) {
        if (!packages.has(target.pkg)) packages.set(target.pkg, chain(file));
      } else if (!via.has(target.file)) {
        via.set(target.file, file);
        queue.push(target.file);
      }
    }
  }
  return packages;
}

describe('learnstream import moodle-logs: what it loads', () => {
  it('reaches none of the HTTP, GraphQL, Swagger, validation or sign-in packages', () => {
    const packages = packagesReached(join(ROOT, 'apps/cli/src/import-command.ts'));
    // What it does need: the check would pass on an empty graph otherwise.
    for (const needed of ['@nestjs/core', 'pg', 'typeorm', 'csv-parse']) expect(packages.has(needed)).toBe(true);
    const heavy = ['@nestjs/swagger', '@nestjs/graphql', '@nestjs/apollo', '@apollo/server', 'graphql', '@nestjs/cqrs', 'class-validator', 'class-transformer', '@nestjs/passport', '@nestjs/jwt', 'passport-jwt', 'argon2', 'express', 'helmet', 'express-rate-limit', 'fastify', '@nestjs/platform-fastify'];
    const reached = heavy.filter((p) => packages.has(p)).map((p) => `${p} <- ${packages.get(p)!.join(' > ')}`);
    expect(reached).toEqual([]);
  });

  it('the full CLI does reach them (the check sees through the barrels)', () => {
    const packages = packagesReached(join(ROOT, 'apps/cli/src/cli.ts'));
    expect(packages.has('@nestjs/swagger')).toBe(true);
    expect(packages.has('class-validator')).toBe(true);
  });
});
