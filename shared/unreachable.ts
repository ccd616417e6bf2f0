/**
 * The `default` of a switch over a union: with every case handled `x` is `never`, so a member
 * added to the union and left out of the switch fails to compile here.
 */
export function unreachable(x: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(x)}`);
}
