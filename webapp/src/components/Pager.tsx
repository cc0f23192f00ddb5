import { Button, Text } from "@ui5/webcomponents-react";

/** Previous/next over a server-paged list: `skip` of `count`, `size` a page. */
export function Pager({ skip, size, count, onSkip }: { skip: number; size: number; count: number; onSkip: (skip: number) => void }) {
  return (
    <div style={{ display: "flex", gap: "0.5rem", alignItems: "center", marginTop: "0.5rem" }}>
      <Button disabled={skip === 0} onClick={() => onSkip(Math.max(0, skip - size))}>Previous page</Button>
      <Text>{count ? `${skip + 1}–${Math.min(skip + size, count)} of ${count}` : "0 of 0"}</Text>
      <Button disabled={skip + size >= count} onClick={() => onSkip(skip + size)}>Next page</Button>
    </div>
  );
}
