"""The benches' own scenario: one WorkflowTemplate whose step does nothing (what is measured is the stack)."""

TEMPLATE = """apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: bench-train
  annotations:
    scenarios.ai.sap.com/name: "bench"
    executables.ai.sap.com/name: "bench-train"
  labels:
    scenarios.ai.sap.com/id: "bench"
    ai.sap.com/version: "1.0.0"
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: bench/noop:1
        command: ["true"]
"""
