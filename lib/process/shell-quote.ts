/** Quotes one argv word for display as a shell would read it (logs, dry runs); nothing is ever run through a shell. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
