// Hash routes (`#/executions/abc?x=1`): the stack serves one page, so deep links need no server rewrite.
import { useEffect, useState } from "react";

export interface Route {
  page: string;
  id?: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path, search = ""] = hash.replace(/^#\/?/, "").split("?");
  const [page, id] = path.split("/").map(decodeURIComponent);
  return { page: page || "executions", id: id || undefined, params: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}

export function go(page: string, id?: string, params?: Record<string, string>) {
  const search = params ? "?" + new URLSearchParams(params).toString() : "";
  window.location.hash = `#/${page}${id ? "/" + encodeURIComponent(id) : ""}${search}`;
}
