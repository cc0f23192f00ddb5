"""aicore-ops: the CI/CD flow of an AI Core content repository (sync, artifacts, configurations, runs, logs) as one
command line. It speaks only the AI API over HTTP, so it works against this project's stack and SAP AI Core alike."""
__version__ = "0.1.0"
