import "@ui5/webcomponents-icons/dist/AllIcons.js";
import {
  BusyIndicator, Button, NavigationLayout, Option, Select, ShellBar, SideNavigation, SideNavigationItem,
} from "@ui5/webcomponents-react";
import { useCallback, useEffect, useState } from "react";
import { api, setActiveGroup, setApiBase, whenUnauthorized } from "./api";
import { messageOf, OutcomeProvider } from "./outcome";
import { PAGES } from "./pages";
import { go, useRoute } from "./route";
import {
  AppConfig, completeOidcSignIn, currentToken, loadConfig, rememberGroup, rememberedGroup, signOut,
} from "./session";
import { SignIn } from "./SignIn";

export function App() {
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [problem, setProblem] = useState("");
  const [signedIn, setSignedIn] = useState(() => currentToken() !== null);
  useEffect(() => {
    loadConfig()
      .then(async (loaded) => {
        setApiBase(loaded.apiBase);
        if (await completeOidcSignIn(loaded.signIn)) setSignedIn(true);
        setConfig(loaded);
      })
      .catch((error) => setProblem(messageOf(error)));
    whenUnauthorized(() => {
      signOut();
      setSignedIn(false);
    });
  }, []);
  if (problem) return <p role="alert">{problem}</p>;
  if (!config) return <BusyIndicator active />;
  if (!signedIn) return <SignIn config={config} onSignedIn={() => setSignedIn(true)} />;
  return <Shell onSignOut={() => { signOut(); setSignedIn(false); }} />;
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const [group, setGroup] = useState(() => {
    const remembered = rememberedGroup();
    setActiveGroup(remembered);
    return remembered;
  });
  const [groups, setGroups] = useState<string[]>([group]);
  const loadGroups = useCallback(() => {
    api<{ resources: { resourceGroupId: string }[] }>("/v2/admin/resourceGroups", { group: null })
      .then((answer) => setGroups(answer.resources.map((g) => g.resourceGroupId)))
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    loadGroups();
    window.addEventListener("aicore:groups-changed", loadGroups);
    return () => window.removeEventListener("aicore:groups-changed", loadGroups);
  }, [loadGroups]);
  const choose = (next: string) => {
    setActiveGroup(next);
    rememberGroup(next);
    setGroup(next);
  };
  const current = PAGES.find((page) => page.route === route.page) ?? PAGES.find((page) => page.route === "executions")!;
  const Page = current.page;
  return (
    <NavigationLayout
      style={{ height: "100vh" }}
      header={
        <ShellBar primaryTitle="ML Operations" secondaryTitle="AI API"
          content={
            <Select accessibleName="Resource group" onChange={(e) => choose(e.detail.selectedOption.dataset.group!)}>
              {(groups.includes(group) ? groups : [group, ...groups]).map((name) => (
                <Option key={name} data-group={name} selected={name === group}>{name}</Option>
              ))}
            </Select>
          }
          profile={undefined}
        >
          <Button slot="content" design="Transparent" onClick={onSignOut}>Sign out</Button>
        </ShellBar>
      }
      sideContent={
        <SideNavigation accessibleName="Navigation" onSelectionChange={(e) => go(e.detail.item.dataset.route!)}>
          {PAGES.map((page) => (
            <SideNavigationItem key={page.route} text={page.label} icon={page.icon} data-route={page.route}
              selected={page.route === current.route}
              onClick={() => go(page.route)} /* the current item too: from a detail back to its list */ />
          ))}
        </SideNavigation>
      }
    >
      <main aria-label={current.label} style={{ padding: "0 1rem 2rem" }}>
        <OutcomeProvider key={`${current.route}:${group}`}>
          <Page id={route.id} params={route.params} group={group} />
        </OutcomeProvider>
      </main>
    </NavigationLayout>
  );
}
