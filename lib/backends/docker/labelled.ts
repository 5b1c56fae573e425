/**
 * The Docker objects that carry a bottle's slug label, from the run's
 * inventory (its one listing of our containers and of the networks): what
 * `bottle doctor` judges. It does not decide whose they are, nor remove them.
 */
import { SLUG_LABEL } from '../labels.js';
import type { LabelledObject, OpOptions } from '../types.js';
import type { Inventory } from './inventory.js';

export async function labelledObjects(inventory: Inventory, options: OpOptions = {}): Promise<LabelledObject[]> {
  const [containers, networks] = await Promise.all([inventory.containers(options), inventory.networks(options)]);
  return [
    ...[...containers].map(([name, c]) => ({ type: 'machine' as const, name, labels: c.labels })),
    ...[...networks].filter(([, n]) => SLUG_LABEL in n.labels).map(([name, n]) => ({ type: 'network' as const, name, labels: n.labels })),
  ];
}
