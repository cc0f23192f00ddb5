// Server paging for a list: the page asks the API for one slice ($top/$skip) and its total count.
import { Bar, Button, Text } from "@ui5/webcomponents-react";

export const PAGE_SIZE = 20;

export function Pager({ what, skip, count, shown, onSkip }: {
  what: string; skip: number; count: number; shown: number; onSkip: (skip: number) => void;
}) {
  const last = skip + shown;
  return (
    <Bar design="Footer" aria-label={`${what} pages`}
      startContent={<Text>{count ? `${skip + 1}–${last} of ${count}` : `No ${what.toLowerCase()}`}</Text>}
      endContent={<>
        <Button design="Transparent" icon="navigation-left-arrow" accessibleName={`Previous ${what.toLowerCase()}`}
          disabled={skip === 0} onClick={() => onSkip(Math.max(0, skip - PAGE_SIZE))} />
        <Button design="Transparent" icon="navigation-right-arrow" accessibleName={`Next ${what.toLowerCase()}`}
          disabled={last >= count} onClick={() => onSkip(skip + PAGE_SIZE)} />
      </>} />
  );
}
