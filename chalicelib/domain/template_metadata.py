"""Template metadata: labels and annotations, checked as Kubernetes and AI Core check them, and the error type."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional

from .labels import KeyValue
from .scenarios import ExecutableArtifact

EXT_LABEL = re.compile(r"^ext\.ai\.sap\.com/[\w.-]+$")
SCENARIO_LABEL = re.compile(r"^scenarios\.ai\.sap\.com/[\w.-]+$")
ARTIFACT_ANNOTATION = re.compile(
    r"^artifacts\.ai\.sap\.com/(?P<name>.+)\.(?P<field>kind|description|labels|name|suffix)$")
ARTIFACT_KINDS = ("model", "dataset", "resultset", "other")


class TemplateError(Exception):
    def __init__(self, message: str, name: Optional[str] = None, kind: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.name = name
        self.kind = kind


class Metadata:
    """Labels and annotations of one template, checked the way Kubernetes and AI Core check them."""

    def __init__(self, metadata: Dict[str, Any], name: str, kind: str):
        self.name, self.kind = name, kind
        self.labels = self._string_map(metadata.get("labels"), "metadata.labels")
        self.annotations = self._string_map(metadata.get("annotations"), "metadata.annotations")

    def error(self, message: str) -> TemplateError:
        return TemplateError(message, self.name, self.kind)

    def _string_map(self, value: Any, where: str) -> Dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(f"{where} must be a mapping")
        for key, item in value.items():
            if not isinstance(item, str):
                raise self.error(f"{where} '{key}' must be a string; quote the value (\"{item}\")")
        return value

    def required(self, source: Dict[str, str], key: str, what: str, pattern: Optional[re.Pattern] = None,
                 max_length: int = 256) -> str:
        value = (source.get(key) or "").strip()
        if not value:
            raise self.error(f"{what} '{key}' is required")
        self._check(value, key, what, pattern, max_length)
        return value

    def optional(self, source: Dict[str, str], key: str, what: str, max_length: int = 5000,
                 pattern: Optional[re.Pattern] = None) -> Optional[str]:
        value = source.get(key)
        if value is not None:
            self._check(value, key, what, pattern, max_length)
        return value or None

    def _check(self, value: str, key: str, what: str, pattern: Optional[re.Pattern], max_length: int) -> None:
        if pattern is not None and not pattern.match(value):
            raise self.error(f"{what} '{key}' value '{value}' must match {pattern.pattern}")
        if len(value) > max_length:
            raise self.error(f"{what} '{key}' is longer than {max_length} characters")

    def label_list(self, pattern: re.Pattern, exclude: tuple = ()) -> List[KeyValue]:
        return [KeyValue(key=k, value=v) for k, v in sorted(self.labels.items())
                if pattern.match(k) and k not in exclude]

    def artifact(self, *names: str) -> ExecutableArtifact:
        """The executable's view of an artifact, described by artifacts.ai.sap.com/<name>.* annotations."""
        fields: Dict[str, str] = {}
        for key, value in self.annotations.items():
            match = ARTIFACT_ANNOTATION.match(key)
            if match and match["name"] in names and match["field"] not in fields:
                fields[match["field"]] = value
        kind = fields.get("kind")
        if kind is not None and kind not in ARTIFACT_KINDS:
            raise self.error(f"annotation 'artifacts.ai.sap.com/{names[0]}.kind' must be one of "
                             f"{', '.join(ARTIFACT_KINDS)}, got '{kind}'")
        return ExecutableArtifact(name=names[-1], kind=kind, description=fields.get("description") or None,
                                  labels=self._artifact_labels(names[0], fields.get("labels")))

    def _artifact_labels(self, name: str, text: Optional[str]) -> List[KeyValue]:
        if not text:
            return []
        key = f"artifacts.ai.sap.com/{name}.labels"
        try:
            pairs = json.loads(text)
        except ValueError:
            pairs = None
        if not isinstance(pairs, dict):
            raise self.error(f"annotation '{key}' must be a JSON object such as "
                             '{"ext.ai.sap.com/key": "value"}')
        for label_key, value in pairs.items():
            if not EXT_LABEL.match(label_key) or not isinstance(value, str):
                raise self.error(f"annotation '{key}': label '{label_key}' needs an ext.ai.sap.com/<name> key "
                                 "and a string value")
        return [KeyValue(key=k, value=v) for k, v in pairs.items()]
