import { describe, expect, it } from 'vitest';
import { codeLists, codeListTables, LABEL_LANGUAGES } from './code-lists.ts';
import { CodeLists } from './schemas/code-lists.ts';
import { loadContractDocument } from './index.ts';
import { toCyrillic } from './serbian-script.ts';

/** The contract component whose enum each list carries. */
const COMPONENT: Record<keyof typeof codeListTables, string> = {
  services: 'ServiceCode',
  personCategories: 'PersonCategory',
  phases: 'Phase',
  urgencies: 'Urgency',
  rejectionReasons: 'RejectionReason',
  outcomes: 'Outcome',
  riskThreats: 'RiskThreat',
  riskLevels: 'RiskLevel',
  dataCategories: 'DataCategory',
};

describe('code lists', () => {
  const schemas = (loadContractDocument().components as { schemas: Record<string, { enum?: string[] }> }).schemas;

  it('have exactly the codes of the contract enum, in its order, each with all four labels and no other', () => {
    for (const [name, table] of Object.entries(codeListTables)) {
      const component = COMPONENT[name as keyof typeof codeListTables];
      expect([...table.codes], name).toEqual(schemas[component]?.enum);
      expect(Object.keys(table.labels).sort(), name).toEqual([...table.codes].sort());
      for (const [code, labels] of Object.entries(table.labels)) {
        expect(Object.keys(labels).sort(), `${name} ${code}`).toEqual([...LABEL_LANGUAGES].sort());
        for (const text of Object.values(labels)) expect(text.trim(), `${name} ${code}`).not.toBe('');
      }
    }
    expect(Object.keys(codeListTables).sort()).toEqual(Object.keys(COMPONENT).sort());
  });

  it('write Serbian Cyrillic in Cyrillic, as the same words as the Serbian Latin, and the others without Cyrillic', () => {
    for (const [name, table] of Object.entries(codeListTables)) {
      for (const [code, labels] of Object.entries(table.labels) as [string, Record<(typeof LABEL_LANGUAGES)[number], string>][]) {
        const where = `${name} ${code}`;
        expect(labels['sr-Cyrl'], where).not.toMatch(/[A-Za-z]/);
        expect(labels['sr-Cyrl'], where).toBe(toCyrillic(labels['sr-Latn']));
        for (const lang of ['en', 'sr-Latn', 'sq'] as const) expect(labels[lang], `${where} ${lang}`).not.toMatch(/[\u0400-\u04FF]/);
      }
    }
  });

  it('use Albanian and Serbian Latin letters where the words need them', () => {
    const all = Object.values(codeListTables).flatMap((t) => Object.values(t.labels) as Array<Record<string, string>>);
    expect(all.some((l) => /[ëç]/.test(l.sq!))).toBe(true);
    expect(all.some((l) => /[šđčćž]/.test(l['sr-Latn']!))).toBe(true);
  });

  it('are served as a CodeLists document', () => {
    const lists = codeLists();
    expect(CodeLists.parse(lists)).toEqual(lists);
    expect(lists.urgencies.map((e) => e.code)).toEqual(['EMERGENCY', 'URGENT', 'ROUTINE']);
    expect(lists.services[0]).toEqual({ code: 'SAFE_ACCOMMODATION', labels: { en: 'Safe accommodation', 'sr-Latn': 'Bezbedan smeštaj', 'sr-Cyrl': 'Безбедан смештај', sq: 'Strehim i sigurt' } });
  });
});
