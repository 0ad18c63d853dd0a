/**
 * `learnstream early-warning train --data DIR [--days 30,60,90] [--l2 300] [--write FILE]`:
 * reads a history in the OULAD layout, prints the leave-one-module-out
 * validation (per day, pooled and per held-out module) and writes the model
 * fitted on everything to FILE (default: this library's model.weights.ts, the
 * weights the product uses).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluate, type Evaluation } from './metrics';
import { DEFAULT_OULAD_START, ouladTrainingCourses, readOulad } from './oulad';
import { DEFAULT_L2, train } from './train';

export const TRAIN_USAGE = `  early-warning train --data DIR [--days 30,60,90] [--l2 300] [--write FILE]
                                   fit the at-risk model on a history in the OULAD layout; prints the
                                   leave-one-module-out validation and writes the weights (default: the
                                   product's libs/early-warning/src/model.weights.ts)`;

export const MODEL_FILE = fileURLToPath(new URL('./model.weights.ts', import.meta.url)).replace(/\/dist\/libs\//, '/libs/').replace(/\.js$/, '.ts');

export function parseDays(value: string): number[] | null {
  const days = value.split(',').map((d) => Number(d.trim()));
  return days.length && days.every((d) => Number.isInteger(d) && d >= 0 && d <= 1000) ? days : null;
}

const f3 = (x: number | null) => (x === null ? '—' : x.toFixed(3));
export const evaluationLine = (label: string, e: Evaluation) =>
  `${label.padEnd(14)} n=${String(e.learners).padStart(5)}  base ${f3(e.baseRate)}  ROC AUC ${f3(e.rocAuc)}  PR AUC ${f3(e.prAuc)}  P ${f3(e.precision)}  R ${f3(e.recall)}  F1 ${f3(e.f1)}  R@P.7 ${f3(e.recallAtPrecision70)}  R@P.8 ${f3(e.recallAtPrecision80)}`;

export function trainCommand(argv: string[], out: (s: string) => void): number {
  const option = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dir = option('data');
  const days = parseDays(option('days') ?? '30,60,90');
  const l2 = Number(option('l2') ?? String(DEFAULT_L2));
  if (!dir || !days || !(l2 >= 0)) {
    out(`usage: learnstream${TRAIN_USAGE}`);
    return 64;
  }
  const presentations = readOulad(dir, option('start') ?? DEFAULT_OULAD_START);
  const courses = ouladTrainingCourses(presentations, days);
  const { model, heldOut } = train(courses, { trainedOn: `${presentations.map((p) => `${p.module} ${p.presentation}`).join(', ')} (days ${days.join(', ')})`, l2 });
  out(`leave-one-module-out (${new Set(courses.map((c) => c.group)).size} modules, ${presentations.length} presentations); flag: precision-first threshold ${model.thresholds['precision-first'].threshold.toFixed(3)}`);
  for (const day of days) {
    const at = heldOut.filter((h) => h.day === day);
    out(`day ${day}`);
    out(evaluationLine('  pooled', evaluate(at, model.thresholds['precision-first'].threshold)));
    for (const g of [...new Set(at.map((h) => h.group))].sort()) out(evaluationLine(`  ${g}`, evaluate(at.filter((h) => h.group === g), model.thresholds['precision-first'].threshold)));
  }
  for (const [setting, t] of Object.entries(model.thresholds)) out(`${setting}: risk ≥ ${t.threshold.toFixed(3)}, expected precision ${t.expectedPrecision.toFixed(3)}, recall ${t.expectedRecall.toFixed(3)}`);
  out(`weights (per standard deviation): ${model.features.map((f, j) => `${f} ${model.weights[j] >= 0 ? '+' : ''}${model.weights[j].toFixed(3)}`).join(', ')}`);
  const file = option('write') ?? MODEL_FILE;
  writeFileSync(file, modelSource(model));
  out(`model written to ${file}`);
  return 0;
}

export function modelSource(model: unknown): string {
  return (
    `/**\n * The early-warning model's weights, written by \`learnstream early-warning train\` (docs/early-warning.md).\n` +
    ` * JSON in a module, so that the build carries it; edit by training again, not by hand.\n */\n` +
    `import type { EarlyWarningModel } from './model';\n\nexport const TRAINED_MODEL: EarlyWarningModel = ${JSON.stringify(model, (_, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(6)) : v), 2)};\n`
  );
}
