"""The web app on real numbers, in headless Chromium (Debian's, driven by Playwright) against the real local stack.

(a) The Executions page of a resource group holding 10,000 executions: time from opening the page to its first
    rows, and the bytes it fetched from the API (server paging: one page of 50, never the whole list); also the
    time to turn to the next page.
(b) An execution's metric chart of 10,000 points: time from the metrics' arrival in the page to ECharts'
    'finished' event of the chart (canvas renderer, LTTB sampling, no animation), and from opening the detail.

Each figure is the median of ROUNDS rounds; a round opens the list in a freshly loaded app (it learns the
total first), then reopens it (one request), then turns to the next page. The 10,000 executions are written straight into the stack's
DynamoDB table (copies of one real execution, as the stack stores it): starting 10,000 runs through the API would
measure the engine, not the page. The metric points go through the API (PATCH /v2/lm/metrics, batches of 1,000).
Prints figures; never fails on time. Needs the built app (`make webapp`).
"""
from __future__ import annotations

import base64
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_content import TEMPLATE  # noqa: E402  (beside this script: its folder is on the path)

EXECUTIONS, POINTS, ROUNDS = 10_000, 10_000, 5
TABLE = "aicore-dev-records"


def main() -> int:
    import requests

    from tests.support.git_repo import commit_tree
    from tests.support.stack_process import StackProcess, wait_for

    if not (ROOT / "chalicelib" / "static" / "webapp" / "index.html").is_file():
        print("the web app is not built: run `make webapp` first")
        return 1
    home = Path(tempfile.mkdtemp(prefix="aicore-bench-webapp-"))
    (home / "image").mkdir()
    (home / "images.yaml").write_text(f"images:\n  bench/noop: {home / 'image'}\n")
    stack = StackProcess(home).start()
    try:
        ex = stack.exports
        http = requests.Session()
        token = http.post(ex["AICORE_AUTH_URL"], data={"grant_type": "client_credentials"},
                          auth=(ex["AICORE_CLIENT_ID"], ex["AICORE_CLIENT_SECRET"])).json()["access_token"]
        http.headers.update({"Authorization": f"Bearer {token}", "AI-Resource-Group": "default"})
        base = ex["AICORE_BASE_URL"]
        execution_id = _an_execution(http, base, home, commit_tree)
        wait_for(lambda: http.get(f"{base}/lm/executions/{execution_id}").json()["status"] in ("COMPLETED", "DEAD"),
                 timeout=60, what="the bench execution ended")

        started = time.perf_counter()
        tenant = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["zid"]
        newest = _seed_executions(stack, home, tenant, execution_id, EXECUTIONS - 1)
        seeded = time.perf_counter() - started
        print(f"seeded {EXECUTIONS:,} executions in {seeded:.1f} s", flush=True)
        count = http.get(f"{base}/lm/executions", params={"$top": 1}).json()["count"]
        assert count == EXECUTIONS, f"expected {EXECUTIONS} executions, the API counts {count}"

        started = time.perf_counter()
        for batch in range(POINTS // 1000):
            body = {"executionId": execution_id, "metrics": [
                {"name": "loss", "value": 1 / (1 + s / 500) + (s % 7) * 0.01, "step": s,
                 "timestamp": "2026-01-01T00:00:00Z"} for s in range(batch * 1000, (batch + 1) * 1000)]}
            response = http.patch(f"{base}/lm/metrics", json=body)
            assert response.status_code == 204, response.text
        written = time.perf_counter() - started

        api_alone = []
        for _ in range(3):
            started = time.perf_counter()
            http.get(f"{base}/lm/executions", params={"$top": 50, "$skip": EXECUTIONS - 50}).raise_for_status()
            api_alone.append(time.perf_counter() - started)
        listing, chart = _in_chromium(ex, newest, execution_id)
    finally:
        stack.stop()

    first_open, api_bytes, all_bytes, reopen, next_page = (statistics.median(x) for x in zip(*listing))
    received_to_drawn, open_to_drawn = (statistics.median(x) for x in zip(*chart))
    print(f"seeded {EXECUTIONS:,} executions in {seeded:.1f} s (store writes), {POINTS:,} metric points in "
          f"{written:.1f} s (PATCH /v2/lm/metrics, 1,000 a batch)")
    print(f"(a) Executions page, {EXECUTIONS:,} executions in the group, median of {ROUNDS}:")
    print(f"    time to first rows, first open: {first_open * 1000:7.0f} ms (open the page -> newest execution's "
          "row shown; two requests: the total, then the newest page)")
    print(f"    time to first rows, reopened:   {reopen * 1000:7.0f} ms (the total known: one request)")
    print(f"    bytes fetched from /v2/lm/executions on first open: {api_bytes / 1024:7.1f} KiB "
          f"(all API calls of the page: {all_bytes / 1024:.1f} KiB; the whole list would be ~"
          f"{api_bytes / 2 / 50 * EXECUTIONS / 1024 / 1024:.1f} MiB)")
    print(f"    next page (Older): {next_page * 1000:7.0f} ms")
    print(f"    peer: the API alone, GET /v2/lm/executions?$top=50&$skip={EXECUTIONS - 50:,}: "
          f"{statistics.median(api_alone) * 1000:7.0f} ms median of 3 (the stack reads every execution of the "
          "group to count them: the page's time is this request's)")
    print(f"(b) metric chart of {POINTS:,} points, median of {ROUNDS}:")
    print(f"    metrics received -> chart drawn (ECharts 'finished'): {received_to_drawn * 1000:7.0f} ms "
          "(goal < 1,000 ms)")
    print(f"    open the execution -> chart drawn: {open_to_drawn * 1000:7.0f} ms")
    return 0


def _an_execution(http, base: str, home: Path, commit_tree) -> str:
    from tests.support.stack_process import wait_for

    repo = home / "repo"
    commit_tree(repo, {"workflows/train.yaml": TEMPLATE})
    http.post(f"{base}/admin/repositories", json={"name": "bench", "url": repo.as_uri(), "username": "git",
                                                   "password": "unused"}).raise_for_status()
    http.post(f"{base}/admin/applications", json={"applicationName": "bench", "repositoryUrl": repo.as_uri(),
                                                   "revision": "HEAD", "path": "workflows"}).raise_for_status()
    wait_for(lambda: http.get(f"{base}/lm/scenarios/bench/executables").json().get("count"), timeout=60,
             what="bench template synced")
    config = http.post(f"{base}/lm/configurations", json={"name": "bench", "scenarioId": "bench",
                                                          "executableId": "bench-train"}).json()["id"]
    return http.post(f"{base}/lm/executions", json={"configurationId": config}).json()["id"]


def _seed_executions(stack, home: Path, tenant: str, template_id: str, n: int) -> str:
    """n copies of one stored execution under new ids that sort after it (the API lists by id); the newest id."""
    import boto3

    from chalicelib.adapters.local.emulator_gate import emulator_credentials

    key_id, secret = emulator_credentials(home / "keys")
    endpoint = next(l.split(": ", 1)[1].strip() for l in stack.lines if "AWS emulator" in l)
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-central-1",
                       aws_access_key_id=key_id, aws_secret_access_key=secret)
    pk = f"T#{tenant}#RG#default"
    item = ddb.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": f"EXEC#{template_id}"}},
                        ConsistentRead=True)["Item"]
    body = json.dumps(item)
    after = f"{int(template_id[:8], 16) + 1:08x}"  # every copy's id sorts after the original's
    ids = [f"{after}{i:08x}" for i in range(1, n + 1)]

    def write(start: int) -> None:
        pending = {TABLE: [{"PutRequest": {"Item": json.loads(body.replace(template_id, new))}}
                           for new in ids[start:start + 25]]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(0, len(ids), 25)))
    return max(ids)


def _until(predicate, timeout: float = 60) -> None:
    """Poll in Python: the app's Content-Security-Policy forbids the string eval wait_for_function uses."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the chart did not draw")
        time.sleep(0.01)


def _in_chromium(ex: dict, newest: str, execution_id: str):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, sign_in

    listing, chart = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1440, "height": 900},
                                      base_url=ex["AICORE_BASE_URL"].removesuffix("/v2"))
        page = context.new_page()
        page.set_default_timeout(60_000)
        sign_in(page, ex)
        fetched = {"executions": 0, "api": 0}

        def count(response):
            if "/v2/" in response.url:
                try:
                    size = len(response.body())
                except Exception:  # noqa: BLE001 - the page moved on (or closed) before the body was read
                    return
                fetched["api"] += size
                if "/v2/lm/executions?" in response.url:
                    fetched["executions"] += size

        page.on("response", count)
        page.wait_for_load_state("networkidle")
        def open_list() -> tuple:
            page.get_by_role("main", name="Resource groups").wait_for()
            page.wait_for_load_state("networkidle")
            fetched.update(executions=0, api=0)
            started = time.perf_counter()
            page.evaluate("window.location.hash = '#/executions'")
            page.get_by_role("row").filter(has_text=newest).wait_for()
            shown = time.perf_counter() - started
            page.wait_for_load_state("networkidle")
            return shown, fetched["executions"], fetched["api"]

        for _ in range(ROUNDS):
            page.goto("/#/resourceGroups")
            page.reload()  # a fresh app (the token stays in the tab): the list does not know the total yet
            first = open_list()
            page.evaluate("window.location.hash = '#/resourceGroups'")
            again = open_list()
            started = time.perf_counter()
            page.get_by_role("button", name="Older").click()
            page.get_by_role("row").filter(has_text=f"{newest[:8]}{int(newest[8:], 16) - 50:08x}").wait_for()
            listing.append((*first, again[0], time.perf_counter() - started))

        # The detail draws its charts once the metrics arrive: both moments are performance marks in the page.
        page.evaluate("""
          const original = window.fetch;
          window.fetch = async (...args) => {
            const answer = await original(...args);
            if (String(args[0]).startsWith('/v2/lm/metrics?')) {
              await answer.clone().text();
              performance.mark('metrics-received');
            }
            return answer;
          }""")
        for _ in range(ROUNDS):
            page.goto("/#/resourceGroups")
            page.get_by_role("main", name="Resource groups").wait_for()
            page.evaluate("performance.clearMarks()")
            started = page.evaluate("performance.now()")
            page.evaluate(f"window.location.hash = '#/executions/{execution_id}'")
            _until(lambda: page.evaluate("performance.getEntriesByName('metric-chart-finished:loss').length > 0"))
            received, drawn = page.evaluate("""[performance.getEntriesByName('metrics-received')[0].startTime,
                                                 performance.getEntriesByName('metric-chart-finished:loss')[0].startTime]""")
            chart.append(((drawn - received) / 1000, (drawn - started) / 1000))
        browser.close()
    return listing, chart


if __name__ == "__main__":
    sys.exit(main())
