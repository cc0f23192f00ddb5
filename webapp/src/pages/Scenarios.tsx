// Not built yet: this page is being written (issue 9).
import { IllustratedMessage } from "@ui5/webcomponents-react";
import type { PageProps } from ".";

export function Scenarios(_props: PageProps) {
  return <IllustratedMessage name="UnableToLoad" titleText="Not built yet" subtitleText="This page is not part of the app yet." />;
}
