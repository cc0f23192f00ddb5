"""The `aicore-ops` command line (Typer). Each command resolves settings, calls the AI API and prints a table, or
JSON with --json. Errors become exit codes here, in one place, so every command reports them the same way."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from . import apply as applying
from . import library, output, rendering, runs, sync, tracking
from .client import ApiError, Client
from .config import ConfigError, home, resolve

EXIT_CODES = """Exit codes: 0 success; 2 usage error (bad option, missing setting or profile); 3 the AI API refused
a request (its message is printed); 4 the work failed (a run ended DEAD or STOPPED, or a template it needs is
broken)."""

app = typer.Typer(
    help="Operate AI Core content from the command line: sync templates, apply cicd/config.json, follow runs.\n\n"
         "Connection settings come from the profiles SAP's `aicore configure` writes ($AICORE_HOME, default "
         "~/.aicore: config.json or config_<profile>.json), chosen with --profile or AICORE_PROFILE; the "
         "AICORE_* environment variables always win. Secrets are never printed.\n\n" + EXIT_CODES,
    no_args_is_help=True, add_completion=False, rich_markup_mode=None)

JSON = typer.Option(False, "--json", help="Print JSON instead of tables (progress goes to stderr).")
_state = {"profile": None}


@app.callback()
def _global(profile: Optional[str] = typer.Option(None, "--profile", "-p", metavar="PROFILE", envvar="AICORE_PROFILE",
                                                  help="Profile of `aicore configure` to use (default: default).")):
    _state["profile"] = profile


def _client() -> Client:
    return Client(resolve(_state["profile"]))


def _fail(message: str, code: int) -> typer.Exit:
    output.err.print(f"[red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def main() -> None:
    """Console-script entry point: API and configuration errors become exit codes 3 and 2."""
    try:
        app()
    except (ConfigError, library.LibraryError) as error:
        output.err.print(f"error: {error}", markup=False)
        sys.exit(2)
    except ApiError as error:
        output.err.print(f"API error: {error}", markup=False)
        sys.exit(3)


class _PrintingReporter(applying.Reporter):
    def __init__(self, as_json: bool):
        self.console = output.err if as_json else output.out
        self.as_json = as_json

    def step(self, text: str) -> None:
        self.console.print(text, soft_wrap=True)

    def log(self, kind: str, run_id: str, line: dict) -> None:
        output.log_line(line, prefix=f"{kind} {run_id[:8]} | ", to_stderr=self.as_json)

    def waiting(self, text: str):
        return output.progress(text)


@app.command("apply")
def apply_cmd(config_file: Path = typer.Argument(..., metavar="CONFIG_FILE", exists=True, dir_okay=False,
                                                 help="The seed's cicd/config.json (artifacts, executions, "
                                                      "deployments)."),
              application: Optional[str] = typer.Option(None, "--application", "-a", metavar="APP",
                                                        help="Git application to refresh and wait for (default: "
                                                             "the file's application.name, if any)."),
              cleanup: bool = typer.Option(False, "--cleanup",
                                           help="Stop and delete the resource group's previous executions and "
                                                "deployments first."),
              dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; change nothing."),
              as_json: bool = JSON):
    """Sync, create or reuse artifacts and configurations, start runs, follow them to their wait_for_status.

    An unchanged file applied twice reuses its artifacts and configurations (the seed's duplicate rules) and starts
    its runs again. Exits 4 with the run's statusMessage if a run ends DEAD, or with the file and reason if a
    template it needs did not sync."""
    config = applying.load(config_file)
    name = applying.application_name(config, application)
    if dry_run:  # needs no credentials: only the group's name, which may not be configured yet
        try:
            group = resolve(_state["profile"]).resource_group
        except ConfigError:
            group = "(AICORE_RESOURCE_GROUP)"
        steps = applying.plan(config, name, cleanup, group)
        if as_json:
            output.emit_json({"plan": steps})
        else:
            for number, step in enumerate(steps, 1):
                output.out.print(f"{number}. {step}", soft_wrap=True)
        return
    client = _client()
    try:
        outcome = applying.apply(client, config, name, cleanup, _PrintingReporter(as_json))
    except applying.ApplyFailed as failed:
        raise _fail(str(failed), failed.exit_code)
    if as_json:
        output.emit_json(outcome.__dict__)
    else:
        output.table("runs", ["kind", "id", "status", "deployment URL"],
                     [[r["kind"], r["id"], r["status"], r.get("deploymentUrl")] for r in outcome.runs])


@app.command("runs")
def runs_cmd(kind: Optional[str] = typer.Option(None, "--kind", metavar="KIND", help="execution or deployment (default: both)."),
             status: Optional[str] = typer.Option(None, "--status", metavar="STATUS", help="Only runs in this status, e.g. RUNNING."),
             scenario: Optional[str] = typer.Option(None, "--scenario", metavar="SCENARIO_ID", help="Only runs of this scenario id."),
             as_json: bool = JSON):
    """List executions and deployments of the resource group with their status."""
    if kind and kind not in runs.KINDS:
        raise typer.BadParameter("must be execution or deployment", param_hint="--kind")
    client = _client()
    params = {k: v for k, v in (("status", status), ("scenarioId", scenario)) if v}
    found = []
    for name, path in runs.KINDS.items():
        if not kind or kind == name:
            found += [{"kind": name, **r} for r in client.all(path, **params)]
    found.sort(key=lambda r: r.get("createdAt", ""))
    if as_json:
        output.emit_json(found)
        return
    output.table("runs", ["kind", "id", "scenario", "executable", "status", "created", "message"],
                 [[r["kind"], r.get("id"), r.get("scenarioId"), r.get("executableId"), r.get("status"),
                   output.when(r.get("createdAt")), r.get("statusMessage")] for r in found])


@app.command("logs")
def logs_cmd(run_id: str = typer.Argument(..., metavar="ID", help="Execution or deployment id."),
             follow: bool = typer.Option(False, "--follow", "-f",
                                         help="Keep printing new lines until the run ends (COMPLETED, DEAD, "
                                              "STOPPED)."),
             as_json: bool = JSON):
    """Print a run's logs, oldest first; with -f, follow them until the run ends (exit 4 if it ends DEAD)."""
    client = _client()
    kind, run = runs.find(client, run_id)
    lines: List[dict] = []
    if follow:
        collect = lines.append if as_json else output.log_line
        with output.progress(f"{kind} {run_id}") as update:
            run = runs.follow(client, kind, run_id, collect, on_status=update)
    else:
        lines = runs.logs(client, kind, run_id)
        if not as_json:
            for line in lines:
                output.log_line(line)
    if as_json:
        output.emit_json(lines)
    if follow and run.get("status") in runs.FAILED:
        raise _fail(f"{kind} {run_id} ended {run['status']}: {run.get('statusMessage') or ''}", 4)


@app.command("stop")
def stop_cmd(run_id: str = typer.Argument(..., metavar="ID", help="Execution or deployment id."), as_json: bool = JSON):
    """Ask a run to stop (targetStatus STOPPED)."""
    client = _client()
    kind, _ = runs.find(client, run_id)
    runs.stop(client, kind, run_id)
    if as_json:
        output.emit_json({"kind": kind, "id": run_id, "targetStatus": "STOPPED"})
    else:
        output.out.print(f"{kind} {run_id}: stop requested")


@app.command("sync")
def sync_cmd(application: str = typer.Argument(..., metavar="APPLICATION", help="Application name (as in /admin/applications)."),
             wait: bool = typer.Option(False, "--wait", help="Wait until the sync finishes and show its result."),
             as_json: bool = JSON):
    """Refresh a Git application; with --wait, show each template's sync result (exit 4 if a file is broken)."""
    with output.progress(f"syncing application {application}"):
        result = sync.refresh(_client(), application, wait=wait)
    if as_json:
        output.emit_json(result.as_dict())
    else:
        output.out.print(f"{application}: {result.sync_status} / {result.health_status}: {result.message}",
                         soft_wrap=True, markup=False)
        output.table("templates", ["name", "kind", "status", "message"],
                     output.columns_of(result.synced + result.broken, ["name", "kind", "status", "message"]))
    if wait and result.broken:
        raise typer.Exit(4)


@app.command("metrics")
def metrics_cmd(run_id: str = typer.Argument(..., metavar="ID", help="Execution id."), as_json: bool = JSON):
    """Show the metrics an execution logged (the last value of each)."""
    found = tracking.of_execution(_client(), run_id)
    if as_json:
        output.emit_json(found)
        return
    output.table(f"metrics of {run_id}", ["name", "value"], sorted(tracking.last_values(found).items()))


@app.command("compare")
def compare_cmd(run_ids: List[str] = typer.Argument(..., metavar="ID...", help="Two or more execution ids."), as_json: bool = JSON):
    """Parameters and final metrics of executions side by side."""
    if len(run_ids) < 2:
        raise typer.BadParameter("give two or more execution ids", param_hint="RUN_IDS")
    columns = tracking.side_by_side(_client(), run_ids)
    if as_json:
        output.emit_json(columns)
        return
    names = sorted({name for values in columns.values() for name in values})
    output.table("comparison", ["", *[r[:8] for r in run_ids]],
                 [[name, *[columns[r].get(name) for r in run_ids]] for name in names])


@app.command("predict")
def predict_cmd(deployment_id: str = typer.Argument(..., metavar="DEPLOYMENT_ID", help="Deployment id (RUNNING)."),
                data: str = typer.Option(..., "--data", "-d", metavar="JSON|@FILE", help="JSON body, or @file.json to read it from a file."),
                path: str = typer.Option("/v1/models/model:predict", "--path", metavar="PATH",
                                         help="Path under the deployment URL, e.g. /v1/models/text-classifier:predict."),
                as_json: bool = JSON):
    """POST a JSON body to a deployment's URL and print the answer."""
    text = Path(data[1:]).read_text() if data.startswith("@") else data
    try:
        body = json.loads(text)
    except ValueError as error:
        raise typer.BadParameter(f"not JSON: {error}", param_hint="--data")
    client = _client()
    deployment = client.get(f"/lm/deployments/{deployment_id}")
    if not deployment.get("deploymentUrl"):
        raise _fail(f"deployment {deployment_id} has no URL (status {deployment.get('status')})", 4)
    answer = client.request("POST", "", json=body, url=deployment["deploymentUrl"].rstrip("/") + path)
    if as_json or not isinstance(answer, str):
        output.emit_json(answer)
    else:
        output.out.print(answer, markup=False)


@app.command("render")
def render_cmd(template_file: Path = typer.Argument(..., metavar="TEMPLATE_FILE", exists=True, dir_okay=False,
                                                   help="A WorkflowTemplate or ServingTemplate file (YAML)."),
               param: List[str] = typer.Option([], "--param", metavar="NAME=VALUE", help="name=value of a parameter (repeatable)."),
               artifact: List[str] = typer.Option([], "--artifact", metavar="NAME=AI_URL",
                                                  help="name=ai://default/path of an input artifact (repeatable)."),
               as_json: bool = JSON):
    """Print the manifest the cluster would run: an Argo Workflow per WorkflowTemplate, a KServe InferenceService
    per ServingTemplate, as `make render` does (ids, namespace and bucket are placeholders). Exit 4 names the file
    and the reason when a template cannot be rendered."""
    try:
        documents = rendering.render(template_file, param, artifact)
    except ValueError as error:  # a name=value that is not one
        raise typer.BadParameter(str(error))
    except rendering.RenderUnavailable as error:  # an installation problem, not a broken file
        raise _fail(str(error), 2)
    except rendering.RenderFailed as error:
        raise _fail(str(error), 4)
    if as_json:
        output.emit_json(documents)
    else:
        sys.stdout.write(rendering.as_yaml(documents))


library_app = typer.Typer(help="The AI Library: ready, validated models (library/<name>/ of the project) installed "
                                "into the configured tenant and resource group.", no_args_is_help=True)
app.add_typer(library_app, name="library")


@library_app.command("list")
def library_list(as_json: bool = JSON):
    """The packages of the project's library/ folder with their scenario and description."""
    found = [{"name": p.name, "path": str(p), "describe": (library.example_of(p) or {}).get("describe", "")}
             for p in library.packages()]
    if as_json:
        output.emit_json(found)
    else:
        output.table("AI Library", ["name", "example answer"], [[f["name"], f["describe"]] for f in found])


@library_app.command("install")
def library_install(names: Optional[List[str]] = typer.Argument(
                        None, metavar="NAME...", help="Package names under library/, or package folders (default: "
                                                       "every package)."),
                    repository_url: Optional[str] = typer.Option(
                        None, "--repository-url", metavar="URL",
                        help="Git URL where the package is already pushed (AI Core). Default: a local repository "
                             "under $AICORE_HOME/library/<name> (the local stack). One package only."),
                    create_object_store: bool = typer.Option(
                        False, "--create-object-store",
                        help="Create the group's 'default' object store secret when missing, with the local "
                             "stack's placeholder credentials (on AI Core create it yourself)."),
                    as_json: bool = JSON):
    """Onboard, sync, train, evaluate and deploy library packages; print each deployment URL and an example request.

    Reinstalling an unchanged package reuses its repository, artifacts and training configuration and trains and
    deploys again. Exits 4 if a training's evaluation misses its model card's numbers or a run ends DEAD."""
    folders = [library.find(n) for n in names] if names else library.packages()
    if not folders:
        raise _fail("no library packages found (library/<name>/cicd/config.json)", 2)
    if repository_url and len(folders) > 1:
        raise typer.BadParameter("give one package with --repository-url", param_hint="--repository-url")
    client = _client()
    results = []
    for folder in folders:
        try:
            installed = library.install(client, folder, home(), _PrintingReporter(as_json), repository_url,
                                        create_object_store)
        except applying.ApplyFailed as failed:
            raise _fail(f"{folder.name}: {failed}", failed.exit_code)
        results.append(installed)
        if not as_json:
            _print_installed(installed, client.settings.resource_group, home())
    if as_json:
        output.emit_json([r.as_dict() for r in results])


def _print_installed(installed: library.Installed, resource_group: str, aicore_home: Path) -> None:
    deployment = installed.deployment()
    where = f"RUNNING at {deployment['deploymentUrl']}" if deployment else "installed (no deployment)"
    output.out.print(f"\n{installed.package}: {where}", markup=False, soft_wrap=True)
    commands = library.example_commands(installed, resource_group, aicore_home)
    if commands:
        output.out.print(f"Try it ({installed.example.get('describe', 'example request')}):", markup=False,
                         soft_wrap=True)
        output.out.print(f"  {commands[0]}", markup=False, soft_wrap=True)
        output.out.print("or with curl, the stack's AICORE_* exports in your shell:", markup=False)
        for line in commands[1:]:
            output.out.print(f"  {line}", markup=False, soft_wrap=True)


@app.command("profile")
def profile_cmd(as_json: bool = JSON):
    """Show the settings in effect (profile and environment merged; the secret is masked)."""
    shown = resolve(_state["profile"]).redacted()
    if as_json:
        output.emit_json(shown)
    else:
        output.table("settings", ["setting", "value"], shown.items())


if __name__ == "__main__":
    main()
