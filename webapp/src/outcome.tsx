// Every action a user takes shows its outcome: success, or the API's own error message.
import { MessageStrip } from "@ui5/webcomponents-react";
import { createContext, ReactNode, useCallback, useContext, useState } from "react";

interface Outcome {
  kind: "Positive" | "Negative";
  text: string;
  at: number;
}

type Run = <T>(action: () => Promise<T>, success: string | ((result: T) => string)) => Promise<T | undefined>;

const OutcomeContext = createContext<{ run: Run; fail: (error: unknown) => void }>({
  run: async () => undefined,
  fail: () => {},
});

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function OutcomeProvider({ children }: { children: ReactNode }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const fail = useCallback((error: unknown) => setOutcome({ kind: "Negative", text: messageOf(error), at: Date.now() }), []);
  const run: Run = useCallback(async (action, success) => {
    try {
      const result = await action();
      setOutcome({ kind: "Positive", text: typeof success === "function" ? success(result) : success, at: Date.now() });
      return result;
    } catch (error) {
      fail(error);
      return undefined;
    }
  }, [fail]);
  return (
    <OutcomeContext.Provider value={{ run, fail }}>
      {outcome && (
        <div role="status" aria-live="polite" data-outcome={outcome.kind} style={{ padding: "0.5rem 1rem 0" }}>
          <MessageStrip key={outcome.at} design={outcome.kind} onClose={() => setOutcome(null)}>
            {outcome.text}
          </MessageStrip>
        </div>
      )}
      {children}
    </OutcomeContext.Provider>
  );
}

/** `run(action, "Done.")` shows "Done." or the error; `fail(error)` shows a load error. */
export function useOutcome() {
  return useContext(OutcomeContext);
}
