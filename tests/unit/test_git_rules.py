"""Input rules of the Git slice: repository URLs, application paths and revisions, generated names."""
from __future__ import annotations

import pytest

from chalicelib.domain.applications import normalized_path, validate_revision
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.repositories import canonical_url, name_from_url, validate_url


@pytest.mark.parametrize("url", ["https://github.com/org/repo.git", "https://gitlab.example.com/a/b"])
def test_https_is_accepted_everywhere(url):
    assert validate_url(url, allow_local=False) == url


@pytest.mark.parametrize("url", ["/srv/git/templates", "file:///srv/git/templates", "http://localhost:3000/r.git",
                                 "http://127.0.0.1/r.git"])
def test_local_urls_only_on_a_local_installation(url):
    assert validate_url(url, allow_local=True) == url
    with pytest.raises(InvalidInput, match="must start with https://"):
        validate_url(url, allow_local=False)


@pytest.mark.parametrize("url, message", [
    ("git@github.com:org/repo.git", "ssh and plain http URLs are not supported"),
    ("ssh://git@github.com/org/repo.git", "must start with https://"),
    ("http://example.com/repo.git", "must start with https://"),
    ("relative/path", "must start with https://"),
    ("https://user:pw@github.com/org/repo.git", "not in the URL"),
    ("https://", "has no host"),
    ("", "non-empty URL"),
    ("https://github.com/a b", "without spaces"),
    ("file:///srv/../etc", "'..'"),
])
def test_bad_urls_are_refused_with_a_reason(url, message):
    with pytest.raises(InvalidInput, match=message):
        validate_url(url, allow_local=True)


@pytest.mark.parametrize("url", ["https://10.0.0.5/r.git", "https://localhost/r.git", "https://169.254.169.254/x",
                                 "https://[::1]/r.git"])
def test_private_hosts_are_refused_when_deployed(url):
    with pytest.raises(InvalidInput, match="public Git host"):
        validate_url(url, allow_local=False)


def test_url_identity_ignores_case_and_trailing_slash():
    assert canonical_url("https://GitHub.com/Org/Repo/") == canonical_url("https://github.com/org/repo")


def test_names_generated_from_urls_fit_the_pattern():
    assert name_from_url("https://github.com/SAP/My_Templates.git") == "my-templates"
    assert name_from_url("/") == "repository"


@pytest.mark.parametrize("path, expected", [("workflows", "workflows"), ("./a//b/", "a/b"), ("", ""), (".", "")])
def test_paths_are_normalized(path, expected):
    assert normalized_path(path) == expected


@pytest.mark.parametrize("path", ["../etc", "a/../../b", "/abs", "a\\b"])
def test_paths_cannot_leave_the_repository(path):
    with pytest.raises(InvalidInput):
        normalized_path(path)


@pytest.mark.parametrize("revision", ["HEAD", "main", "release/1.2", "v1.0.0", "0123abc", "a" * 40])
def test_revisions_accepted(revision):
    assert validate_revision(revision) == revision


@pytest.mark.parametrize("revision", ["", "-rf", "a..b", "main.lock", "feature/", "a b", "main~1", "x" * 300])
def test_revisions_refused(revision):
    with pytest.raises(InvalidInput, match="'revision' must be"):
        validate_revision(revision)
