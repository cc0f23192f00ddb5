// Executions: the paged list (#/executions?status=...) or one execution's detail (#/executions/<id>).
import type { PageProps } from ".";
import { ExecutionDetail } from "../components/runs/ExecutionDetail";
import { ExecutionList } from "../components/runs/ExecutionList";

export function Executions({ id, params }: PageProps) {
  return id ? <ExecutionDetail key={id} id={id} /> : <ExecutionList status={params.get("status") || ""} />;
}
