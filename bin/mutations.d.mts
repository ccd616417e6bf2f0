export interface Mutation {
  name: string;
  property: string;
  file: string;
  find: string;
  replace: string;
  test: string;
  grep?: string;
  env?: Record<string, string>;
  build?: string;
}
export function loadMutations(root: string): Mutation[];
export function mutationProblems(root: string, m: Mutation): string[];
