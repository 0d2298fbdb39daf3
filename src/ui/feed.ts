import type { StudyEvent } from '../study/events.js';
import { initialState, reduce, type DashboardState } from './state.js';

/**
 * Between the core's events and React: every event is reduced at once (cheap and pure), but the
 * state is handed to the components at most once per `intervalMs`, so a burst of progress events
 * costs one redraw, not one each, and the UI never competes with the trial it shows.
 */
export interface DashboardFeed {
  push(event: StudyEvent): void;
  /** The state as last published (what the components draw). */
  getSnapshot(): DashboardState;
  subscribe(onPublish: () => void): () => void;
  /** Publish now (the final frame). */
  flush(): void;
  close(): void;
}

export function createFeed(options: { intervalMs: number; now?: () => number }): DashboardFeed {
  const now = options.now ?? Date.now;
  const listeners = new Set<() => void>();
  let latest = initialState;
  let published = initialState;
  let lastPublishMs = -Infinity;
  let timer: NodeJS.Timeout | null = null;

  const publish = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    lastPublishMs = now();
    if (published === latest) return;
    published = latest;
    for (const listener of listeners) listener();
  };

  return {
    push(event) {
      latest = reduce(latest, event);
      if (timer) return;
      timer = setTimeout(publish, Math.max(0, lastPublishMs + options.intervalMs - now()));
    },
    getSnapshot: () => published,
    subscribe(onPublish) {
      listeners.add(onPublish);
      return () => listeners.delete(onPublish);
    },
    flush: publish,
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      listeners.clear();
    },
  };
}
