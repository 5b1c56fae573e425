/** How an engine item is shown to people: a bottle by its slug, the run-scoped work as "(images)". */
import { RUN_ITEM } from '../engine/index.js';

export function itemLabel(item: string): string {
  return item === RUN_ITEM ? '(images)' : item;
}
