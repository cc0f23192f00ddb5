"""The cluster path (AWS): executions as Argo Workflows and deployments as KServe InferenceServices on EKS,
driven step by step by Step Functions. Pure domain: manifests in, statuses out; the Kubernetes client lives in
adapters/k8s behind the `Cluster` port."""
