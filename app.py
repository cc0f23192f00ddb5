"""Chalice entry point: registers middleware and blueprints. No logic lives here."""
from importlib import import_module

from chalice import Chalice, Rate

from chalicelib.api import BLUEPRINT_MODULES
from chalicelib.api.auth import auth_middleware

app = Chalice(app_name="aicore")
# Dataset files travel as raw bytes; API Gateway must pass them through untouched.
app.api.binary_types.extend(["application/octet-stream", "text/csv", "application/x-tar", "application/gzip"])
# The web app's fonts and images (chalicelib/api/webapp.py).
app.api.binary_types.extend(["font/woff2", "font/woff", "image/png"])
app.register_middleware(auth_middleware, "http")

for _name in BLUEPRINT_MODULES:
    app.register_blueprint(import_module(f"chalicelib.api.{_name}").bp)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="git-poll")
def git_poll(event):
    """EventBridge: Git sync for applications owed a sync or with new commits (locally: the sync worker)."""
    from chalicelib.bootstrap import container

    container().git_sync.poll()


@app.schedule(Rate(1, unit=Rate.MINUTES), name="schedule-tick")
def schedule_tick(event):
    """EventBridge: start the executions that schedules owe (locally: the schedule ticker thread)."""
    from chalicelib.bootstrap import container

    container().schedule_ticker.tick()


@app.lambda_function(name="inference_authorizer")
def inference_authorizer(event, context):
    """API Gateway's REQUEST authorizer of `{api}/v2/inference/deployments/{id}/...` (infra/inference.py): who may
    reach which deployment's predictor; the request itself goes to the cluster's ingress, not through a function."""
    from chalicelib.adapters.aws.inference_authorizer import lambda_handler

    return lambda_handler(event, context)


@app.lambda_function(name="cluster_task")
def cluster_task(event, context):
    """Every Task state of the Step Functions state machines (infra/statemachines/). Imported here, not at the top:
    the API function's cold start must not load the kubernetes client."""
    from chalicelib.adapters.aws.cluster_tasks import handle

    return handle(event, context)
