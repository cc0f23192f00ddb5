// Live refresh: re-read while the page is open (and the tab visible), stop when it closes.
import { DependencyList, useEffect, useRef } from "react";

export function usePolling(read: () => void | Promise<void>, everyMs: number, deps: DependencyList, enabled = true) {
  const latest = useRef(read);
  latest.current = read;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      if (!document.hidden) await Promise.resolve(latest.current()).catch(() => undefined);
      if (!stopped) timer = window.setTimeout(tick, everyMs);
    };
    tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, enabled, everyMs]);
}
