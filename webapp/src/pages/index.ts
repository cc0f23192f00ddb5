// The navigation, in AI Launchpad's order: route name -> label and page. Each page owns its file.
import { ComponentType } from "react";
import { Artifacts } from "./Artifacts";
import { Compare } from "./Compare";
import { Configurations } from "./Configurations";
import { Deployments } from "./Deployments";
import { Executions } from "./Executions";
import { Git } from "./Git";
import { ResourceGroups } from "./ResourceGroups";
import { Scenarios } from "./Scenarios";
import { Schedules } from "./Schedules";
import { Secrets } from "./Secrets";

export interface PageProps {
  id?: string;
  params: URLSearchParams;
  group: string;
}

export const PAGES: { route: string; label: string; icon: string; page: ComponentType<PageProps> }[] = [
  { route: "scenarios", label: "Scenarios", icon: "course-book", page: Scenarios },
  { route: "configurations", label: "Configurations", icon: "action-settings", page: Configurations },
  { route: "executions", label: "Executions", icon: "process", page: Executions },
  { route: "compare", label: "Compare", icon: "compare", page: Compare },
  { route: "deployments", label: "Deployments", icon: "cloud", page: Deployments },
  { route: "schedules", label: "Schedules", icon: "appointment-2", page: Schedules },
  { route: "artifacts", label: "Artifacts", icon: "document", page: Artifacts },
  { route: "git", label: "Git", icon: "source-code", page: Git },
  { route: "secrets", label: "Secrets", icon: "locked", page: Secrets },
  { route: "resourceGroups", label: "Resource groups", icon: "group", page: ResourceGroups },
];
