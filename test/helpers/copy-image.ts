/**
 * Copies an image from one Docker Engine to another through the Engine API,
 * with no registry, for tests that set up an engine by hand: the streaming
 * the Docker backend uses to ship images (lib/docker/stream-image.ts).
 */
import type Docker from 'dockerode';
import { streamImage } from '../../lib/docker/stream-image.js';

export function copyImage(from: Docker, to: Docker, name: string): Promise<void> {
  return streamImage(from, to, name);
}
