// Selection batch CSV files for the import tests: generated rows with valid USCCs, and the
// GB18030 bytes Excel on Chinese Windows would save, made by glibc's iconv (an encoder we did
// not write; Node can decode GB18030 but not encode it).
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { usccCheckCharacter } from '../../../src/node/uscc.ts';

export const HEADER = 'batch,ref,uscc,holder_name,address,region,tier,sector,chain,products,trademarks,valid_from,valid_until';

/** A valid 统一社会信用代码 for holder number `n` (GB 32100-2015 check character). */
export function usccFor(n: number): string {
  const first17 = `91370200${String(n).padStart(9, '0')}`;
  return first17 + usccCheckCharacter(first17)!;
}

/** `rows` licences, two per holder, one line each, CRLF, as Excel writes them. */
export function generatedCsv(rows: number, batch = '2026'): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const h = Math.floor(i / 2);
    lines.push(`${batch},${i + 1},${usccFor(h)},青岛品牌企业${h}有限公司,青岛市市南区香港中路${h}号,370202,product,manufacturing,智能家电,冰箱;洗衣机,海尔；卡萨帝,2026-01-01,2028-12-31`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function toGb18030(text: string): Buffer {
  const result = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
  if (result.status !== 0) throw new Error(`iconv failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/** One query's rows from a registry database, opened read-only. */
export function query<T = Record<string, unknown>>(dbFile: string, sql: string): T[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
