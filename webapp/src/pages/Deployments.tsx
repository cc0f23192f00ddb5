// Deployments: the live list, and one deployment (#/deployments/<id>) with its logs and a prediction panel.
import type { PageProps } from ".";
import { DeploymentDetail } from "../components/deployments/DeploymentDetail";
import { DeploymentList } from "../components/deployments/DeploymentList";

export function Deployments({ id }: PageProps) {
  return id ? <DeploymentDetail key={id} id={id} /> : <DeploymentList />;
}
