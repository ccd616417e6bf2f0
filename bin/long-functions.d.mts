export const LIMIT: number;
export interface LongFunction {
  line: number;
  name: string;
  length: number;
}
export function longFunctionsIn(fileName: string, text: string, limit?: number): LongFunction[];
export function judge(
  findings: (LongFunction & { file: string })[],
  allow: Record<string, string>,
): { unlisted: (LongFunction & { file: string })[]; stale: string[]; reasonless: string[] };
