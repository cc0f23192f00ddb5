// Git: the tenant's repositories and the applications that sync templates from them, with each application's
// sync status, per-file errors and a Refresh button. Tenant-level calls (no resource group).
import { useEffect, useState } from "react";
import type { PageProps } from ".";
import { api } from "../api";
import { Applications } from "../components/admin/Applications";
import { Repositories } from "../components/admin/Repositories";
import { PageHeader } from "../components/PageHeader";

export function Git(_props: PageProps) {
  const [version, setVersion] = useState(0);
  const [repositoryUrls, setRepositoryUrls] = useState<string[]>([]);
  useEffect(() => {
    // For the application form's repository picker: a tenant registers a handful of repositories; 100 bounds it.
    api<{ resources: { url: string }[] }>("/v2/admin/repositories?$top=100", { group: null })
      .then((answer) => setRepositoryUrls(answer.resources.map((r) => r.url)))
      .catch(() => undefined);
  }, [version]);
  const changed = () => setVersion((v) => v + 1);
  return (
    <>
      <PageHeader title="Git" />
      <Repositories onChanged={changed} />
      <Applications repositoryUrls={repositoryUrls} version={version} />
    </>
  );
}
