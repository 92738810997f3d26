import { HANDWRITTEN_CASES } from './corpus.cases';
import { brief, loadCase } from './support';
import { hasErrors, RULES } from '../../src/manifest';

describe('hand-written broken packages', () => {
  test.each(HANDWRITTEN_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { loaded, expected } = loadCase(c);
    expect(brief(loaded.findings)).toContainEqual({
      ruleId: c.rule,
      ...expected,
      line: expected.line,
      column: expected.column,
    });
    // An error case fails validation; a warning case is otherwise valid, so it passes unless
    // strict; a note (info) case passes even when strict.
    const severity = RULES[c.rule as keyof typeof RULES].severity as string;
    expect(hasErrors(loaded.findings)).toBe(severity === 'error');
    expect(hasErrors(loaded.findings, true)).toBe(severity !== 'info');
  });

  test('every rule a package can trigger has a hand-written case', () => {
    const covered = new Set(HANDWRITTEN_CASES.map((c) => c.rule));
    const zipOnly = ['CFCT-P002', 'CFCT-P003', 'CFCT-P004', 'CFCT-P005', 'CFCT-P006'];
    // Reported from tools outside the package reader, each with its own tests: the linters
    // (CFCT-L010..L017, test/pipeline/lint.test.ts) and CloudFormation ValidateTemplate
    // (CFCT-V001/V002, test/pipeline/validate-template.test.ts); and the command line's usage
    // errors (CFCT-U..., test/cli/json-always.test.ts).
    const fromTools = (id: string) => /^CFCT-(L01\d|V00\d|U\d{3})$/.test(id);
    expect(Object.keys(RULES).filter((id) => !covered.has(id) && !zipOnly.includes(id) && !fromTools(id))).toEqual([]);
  });
});
