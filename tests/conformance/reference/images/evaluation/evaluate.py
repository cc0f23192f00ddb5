"""The reference's evaluation step: reads the model the training step wrote."""
import argparse
import json
import pathlib

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
args = parser.parse_args()
model = json.loads((pathlib.Path(args.model) / "model.json").read_text())
print(f"evaluated model trained with lr={model['lr']} for {model['epochs']} epochs on {model['rows']} rows")
