"""Argo's artifact handling for the stand-in's pods, on S3 with boto3 (moto in tests): an output is tarred and
gzipped unless it says `archive: {none: {}}` (Argo's default), an input that is a tarball is unpacked to its path
(workflow/executor/executor.go), credentials come from the Secret the s3 location names, as Argo's executor reads it."""
from __future__ import annotations

import base64
import io
import os
import shutil
import tarfile
import tempfile
from typing import Any, Callable, Dict, Optional

import boto3


class S3Access:
    """`endpoint_url`: every S3 call goes there (a moto server); None: the location's endpoint (in-process moto
    intercepts `s3.amazonaws.com`)."""

    def __init__(self, secret_value: Callable[[str, str, str], Optional[str]], endpoint_url: Optional[str] = None):
        self.secret_value = secret_value
        self.endpoint_url = endpoint_url

    def client(self, namespace: str, location: Dict[str, Any]):
        endpoint = self.endpoint_url
        if endpoint is None and location.get("endpoint"):
            scheme = "http" if location.get("insecure") else "https"
            endpoint = f"{scheme}://{location['endpoint']}"
        kwargs: Dict[str, Any] = {"region_name": location.get("region") or "us-east-1", "endpoint_url": endpoint}
        access, secret = location.get("accessKeySecret"), location.get("secretKeySecret")
        if access and secret:
            kwargs["aws_access_key_id"] = self.secret_value(namespace, access["name"], access["key"])
            kwargs["aws_secret_access_key"] = self.secret_value(namespace, secret["name"], secret["key"])
        return boto3.client("s3", **kwargs)

    def upload(self, namespace: str, location: Dict[str, Any], source: str, archived: bool) -> None:
        client = self.client(namespace, location)
        if archived:
            data = io.BytesIO()
            with tarfile.open(fileobj=data, mode="w:gz") as tar:
                tar.add(source, arcname=os.path.basename(source.rstrip("/")))
            client.put_object(Bucket=location["bucket"], Key=location["key"], Body=data.getvalue())
        elif os.path.isdir(source):
            for root, _, files in os.walk(source):
                for name in files:
                    full = os.path.join(root, name)
                    client.upload_file(full, location["bucket"],
                                       f"{location['key'].rstrip('/')}/{os.path.relpath(full, source)}")
        else:
            client.upload_file(source, location["bucket"], location["key"])

    def download(self, namespace: str, location: Dict[str, Any], target: str) -> None:
        client = self.client(namespace, location)
        try:
            data = client.get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
        except client.exceptions.NoSuchKey:  # a key naming a folder: every object under it (Argo's executor)
            self._download_folder(client, location, target)
            return
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        try:
            tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
        except tarfile.TarError:
            with open(target, "wb") as out:
                out.write(data)
            return
        with tar, tempfile.TemporaryDirectory() as unpacked:
            tar.extractall(unpacked, filter="data")
            entries = os.listdir(unpacked)
            only = os.path.join(unpacked, entries[0]) if len(entries) == 1 else unpacked
            shutil.move(only, target)

    @staticmethod
    def _download_folder(client, location: Dict[str, Any], target: str) -> None:
        prefix = location["key"].rstrip("/") + "/"
        found = False
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=location["bucket"], Prefix=prefix):
            for item in page.get("Contents") or []:
                found = True
                local = os.path.join(target, item["Key"][len(prefix):])
                os.makedirs(os.path.dirname(local), exist_ok=True)
                client.download_file(location["bucket"], item["Key"], local)
        if not found:
            raise FileNotFoundError(f"s3://{location['bucket']}/{location['key']}: no such key or folder")


def secret_reader(objects):
    """(namespace, secret, key) -> the decoded value, read from the stand-in's stored Secrets."""
    def read(namespace: str, name: str, key: str) -> Optional[str]:
        secret = objects.get(("secrets", namespace, name)) or {}
        if key in (secret.get("stringData") or {}):
            return secret["stringData"][key]
        value = (secret.get("data") or {}).get(key)
        return base64.b64decode(value).decode("utf-8") if value is not None else None
    return read
