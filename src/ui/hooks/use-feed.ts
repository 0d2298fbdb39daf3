import { useSyncExternalStore } from 'react';
import type { DashboardFeed } from '../feed.js';
import type { DashboardState } from '../state.js';

/** The feed's published state: React re-renders only when the feed publishes. */
export function useFeed(feed: DashboardFeed): DashboardState {
  return useSyncExternalStore(feed.subscribe, feed.getSnapshot);
}
