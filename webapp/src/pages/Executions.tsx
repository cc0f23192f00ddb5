// Executions: the paged list (#/executions?status=...) or one execution's detail (#/executions/<id>).
import type { PageProps } from ".";
import { ExecutionDetail } from "../components/runs/ExecutionDetail";
import { ExecutionList } from "../components/runs/ExecutionList";

export function Executions({ id, params, group }: PageProps) {
  return id ? <ExecutionDetail key={id} id={id} /> : <ExecutionList group={group} status={params.get("status") || ""} />;
}
