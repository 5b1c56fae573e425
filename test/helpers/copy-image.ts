/**
 * Copies an image from one Docker Engine to another through the Engine API,
 * with no registry: `GET /images/{name}/get` (docker save) on the source is
 * streamed straight into `POST /images/load` (docker load) on the target,
 * never held whole in memory or written to disk. It fails when either side
 * reports an error, including an error the load reports in its progress
 * stream under a 200. It does not pull, tag or check the platform.
 */
import type Docker from 'dockerode';

export async function copyImage(from: Docker, to: Docker, name: string): Promise<void> {
  const tar = await from.getImage(name).get();
  const progress = await to.loadImage(tar, { quiet: true });
  const events = await new Promise<{ error?: string; stream?: string }[]>((resolve, reject) => {
    let failed: Error | undefined;
    // A save that breaks halfway ends the load's body short; the target then says so, but say which side broke.
    tar.on('error', (error: Error) => (failed = new Error(`saving ${name} from the source engine failed: ${error.message}`, { cause: error })));
    to.modem.followProgress(progress, (error: Error | null, output: { error?: string; stream?: string }[]) => {
      if (failed || error) reject(failed ?? new Error(`loading ${name} into the target engine failed: ${error!.message}`, { cause: error }));
      else resolve(output);
    });
  });
  const said = events.find((e) => e.error);
  if (said) throw new Error(`loading ${name} into the target engine failed: ${said.error}`);
}
