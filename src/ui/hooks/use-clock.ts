import { useEffect, useState } from 'react';

/** Wall-clock time, ticking every `intervalMs` while `running` (elapsed and ETA move between events). */
export function useClock(intervalMs: number, running: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, running]);
  return now;
}
