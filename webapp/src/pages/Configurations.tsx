// Configurations: the paged list (#/configurations?scenarioId=..), one configuration (#/configurations/<id>), and
// the create form (#/configurations?create=1&scenarioId=..&executableId=..).
import type { PageProps } from ".";
import { ConfigurationCreate } from "../components/catalog/ConfigurationCreate";
import { ConfigurationDetail } from "../components/catalog/ConfigurationDetail";
import { ConfigurationList } from "../components/catalog/ConfigurationList";

export function Configurations({ id, params }: PageProps) {
  if (id) return <ConfigurationDetail key={id} id={id} />;
  if (params.get("create")) {
    return <ConfigurationCreate initialScenario={params.get("scenarioId") ?? ""} initialExecutable={params.get("executableId") ?? ""} />;
  }
  return <ConfigurationList scenarioId={params.get("scenarioId") ?? ""} />;
}
