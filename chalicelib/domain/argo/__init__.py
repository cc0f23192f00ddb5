"""Argo Workflows semantics, shared by both engines: expressions, depends, loops, the walk, what the local engine
refuses. Pure domain code: no AWS, Kubernetes or host imports."""
