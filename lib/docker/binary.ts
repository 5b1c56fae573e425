/** Which docker CLI bottle runs: `BOTTLE_DOCKER`, else `docker` from PATH. The one place that reads it; it imports nothing, so a PATH look-up loads no process library. */
export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOTTLE_DOCKER || 'docker';
}
