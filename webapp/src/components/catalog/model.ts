// The catalog's wire shapes (scenarios, executables, configurations, artifacts) as the AI API answers them.
import { api, query } from "../../api";

export interface Scenario {
  id: string;
  name: string;
  description?: string;
  createdAt?: string;
  modifiedAt?: string;
}

export interface Parameter {
  name: string;
  type?: string;
  default?: string | null;
  description?: string | null;
}

export interface ArtifactArgument {
  name: string;
  kind?: string | null;
  description?: string | null;
}

export interface Executable {
  id: string;
  name: string;
  description?: string;
  scenarioId: string;
  versionId: string;
  deployable: boolean;
  parameters: Parameter[];
  inputArtifacts: ArtifactArgument[];
  outputArtifacts: ArtifactArgument[];
}

export interface Version {
  id: string;
  description?: string;
  scenarioId: string;
  createdAt?: string;
}

export interface Binding {
  key: string;
  value?: string;
  artifactId?: string;
}

export interface Configuration {
  id: string;
  name: string;
  scenarioId: string;
  executableId: string;
  parameterBindings: { key: string; value: string }[];
  inputArtifactBindings: { key: string; artifactId: string }[];
  createdAt?: string;
}

export interface Artifact {
  id: string;
  name: string;
  kind: string;
  url: string;
  scenarioId: string;
  executionId?: string;
  description?: string;
  createdAt?: string;
}

export interface Listing<T> {
  count: number;
  resources: T[];
}

const enc = encodeURIComponent;

export const loadScenarios = () => api<Listing<Scenario>>("/v2/lm/scenarios");
export const loadExecutables = (scenarioId: string) =>
  api<Listing<Executable>>(`/v2/lm/scenarios/${enc(scenarioId)}/executables`);
export const loadVersions = (scenarioId: string) =>
  api<Listing<Version>>(`/v2/lm/scenarios/${enc(scenarioId)}/versions`);
export const loadConfiguration = (id: string) => api<Configuration>(`/v2/lm/configurations/${enc(id)}`);

/** One page of configurations (the server pages: $top/$skip, with the total in `count`). */
export const loadConfigurations = (filters: { scenarioId?: string; executableIds?: string; top: number; skip: number }) =>
  api<Listing<Configuration>>("/v2/lm/configurations" + query({
    scenarioId: filters.scenarioId, executableIds: filters.executableIds, $top: filters.top, $skip: filters.skip,
  }));

/** Artifacts a binding may pick: the scenario's, of the argument's kind when the template names one. */
export const loadArtifacts = (scenarioId: string, kind?: string | null) =>
  api<Listing<Artifact>>("/v2/lm/artifacts" + query({ scenarioId, kind: kind || undefined, $top: 200 }));
