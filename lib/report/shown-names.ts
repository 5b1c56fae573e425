/**
 * Events for a display that names items otherwise than the engine does: a
 * bottle on a named host as `<slug>@<host>`, so the rows of a run over
 * several hosts say where each bottle is (the session orders them by host).
 * Only for what people read: the NDJSON events keep the engine's keys.
 */
import type { EngineEvent, EventSink } from '../engine/index.js';

export function withShownNames(sink: EventSink, names: ReadonlyMap<string, string>): EventSink {
  if (names.size === 0) return sink;
  const shown = (item: string) => names.get(item) ?? item;
  return (event: EngineEvent) => {
    if (event.type === 'run-start') return sink({ ...event, items: event.items.map(shown) });
    if (event.type === 'run-end') return sink(event);
    sink({ ...event, item: shown(event.item) });
  };
}
