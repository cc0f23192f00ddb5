import { Bar, Title } from "@ui5/webcomponents-react";
import { ReactElement } from "react";

/** A page's title (the page's h1, its accessible landmark) and its actions. */
export function PageHeader({ title, actions }: { title: string; actions?: ReactElement }) {
  return (
    <Bar design="Header" startContent={<Title level="H1" size="H3">{title}</Title>} endContent={actions} />
  );
}
