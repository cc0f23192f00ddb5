"""The reference's training step, with its `log_metrics` exactly as the reference writes it."""
import argparse
import json
import os
import pathlib
import time

import requests


def log_metrics(metrics: dict, step: int):
    """Log metrics to SAP AI Core."""
    api_url = os.environ.get("AICORE_API_URL")
    token = os.environ.get("AICORE_AUTH_TOKEN")
    execution_id = os.environ.get("AICORE_EXECUTION_ID")

    response = requests.post(
        f"{api_url}/v2/lm/executions/{execution_id}/metrics",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json"
        },
        json={
            "metrics": [
                {"name": name, "value": value, "step": step}
                for name, value in metrics.items()
            ]
        }
    )


parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--lr", type=float, required=True)
parser.add_argument("--epochs", type=int, required=True)
parser.add_argument("--output", required=True)
args = parser.parse_args()
rows = (pathlib.Path(args.data) / "train.csv").read_text().splitlines()[1:]
epochs, accuracy = args.epochs, 0.5


def train_epoch():
    time.sleep(0.25)  # long enough that a stop sent right after the start lands while this runs
    return 1.0 / (epoch + 1)


def validate():
    return 1.2 / (epoch + 1)


# Usage in training loop (the reference's)
for epoch in range(epochs):
    train_loss = train_epoch()
    val_loss = validate()
    accuracy = min(0.99, accuracy + 0.02)
    log_metrics({
        "train_loss": train_loss,
        "val_loss": val_loss,
        "accuracy": accuracy
    }, step=epoch)
    print(f"epoch {epoch}: train_loss={train_loss:.4f} val_loss={val_loss:.4f} accuracy={accuracy:.2f}")

out = pathlib.Path(args.output)
out.mkdir(parents=True, exist_ok=True)
(out / "model.json").write_text(json.dumps({"lr": args.lr, "epochs": epochs, "rows": len(rows)}))
print(f"model written to {out}")
