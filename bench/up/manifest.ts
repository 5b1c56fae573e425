/**
 * The bench's manifest: one agent on the Docker backend with the defaults,
 * and an empty egress allowlist, so the proxies refuse everything and no
 * bottle sends anything off this machine.
 */
export const AGENT = 'bench';

export const MANIFEST = `# Written by bench/up; removed with its temp dir.
bottles:
  bench:
    backend: docker
    egress:
      allow: []
agents:
  ${AGENT}:
    bottle: bench
    prompt: "A bench bottle: nothing to do."
`;
