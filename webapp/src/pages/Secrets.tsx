// Secrets, three kinds as tabs: object-store (resource group), docker-registry (tenant), generic (resource group).
// Create, list names and non-secret metadata, delete. Secret data is write-only: never displayed, never put back.
import { Tab, TabContainer } from "@ui5/webcomponents-react";
import type { PageProps } from ".";
import { DockerRegistrySecrets } from "../components/admin/DockerRegistrySecrets";
import { GenericSecrets } from "../components/admin/GenericSecrets";
import { ObjectStoreSecrets } from "../components/admin/ObjectStoreSecrets";
import { PageHeader } from "../components/PageHeader";

export function Secrets({ group }: PageProps) {
  return (
    <>
      <PageHeader title="Secrets" />
      <TabContainer contentBackgroundDesign="Transparent" style={{ padding: "0 1rem" }}>
        <Tab text="Object store" selected><ObjectStoreSecrets key={group} group={group} /></Tab>
        <Tab text="Docker registry"><DockerRegistrySecrets /></Tab>
        <Tab text="Generic"><GenericSecrets key={group} group={group} /></Tab>
      </TabContainer>
    </>
  );
}
