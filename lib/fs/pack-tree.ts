/**
 * A host file, directory or symlink as a tar archive written to a new file,
 * its one top-level entry named `top` (`bottle cp` into a guest): a link as
 * a link (never followed, the named path itself included), permission bits
 * only (no setuid, setgid or sticky bit), modification times kept, no
 * owner (the unpacking user owns what it makes). Sockets, FIFOs and devices
 * are left out and counted. It reads the tree; it writes only the archive.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack, type Header } from 'tar-stream';

export interface PackedTree {
  files: number;
  dirs: number;
  links: number;
  /** Bytes of file content. */
  bytes: number;
  /** Entries that are none of the above, left out. */
  skipped: string[];
}

export async function packTree(source: string, top: string, archive: string): Promise<PackedTree> {
  const tar = pack();
  const written = pipeline(tar, createWriteStream(archive, { flags: 'wx', mode: 0o600 }));
  const counts: PackedTree = { files: 0, dirs: 0, links: 0, bytes: 0, skipped: [] };
  // Directories and links have no body: their entry is done once written.
  const entry = (header: Partial<Header> & { name: string }, body?: NodeJS.ReadableStream) =>
    new Promise<void>((resolve, reject) => {
      const sink = tar.entry(header, (error) => (error ? reject(error) : resolve()));
      body?.on('error', reject).pipe(sink as unknown as NodeJS.WritableStream);
    });

  const add = async (full: string, name: string): Promise<void> => {
    const st = await lstat(full);
    const base = { name, mtime: st.mtime, mode: st.mode & 0o777, uid: 0, gid: 0 };
    if (st.isSymbolicLink()) {
      counts.links++;
      await entry({ ...base, type: 'symlink', linkname: await readlink(full) });
    } else if (st.isFile()) {
      counts.files++;
      counts.bytes += st.size;
      await entry({ ...base, type: 'file', size: st.size }, createReadStream(full));
    } else if (st.isDirectory()) {
      counts.dirs++;
      await entry({ ...base, type: 'directory' });
      for (const child of (await readdir(full)).sort()) await add(join(full, child), `${name}/${child}`);
    } else {
      counts.skipped.push(name);
    }
  };

  try {
    await add(source, top);
    tar.finalize();
  } catch (error) {
    tar.destroy(error as Error);
  }
  await written;
  return counts;
}
