"""A pod's files seen from the host: container paths through the pod's own links, Argo's artifact archive layout."""
from __future__ import annotations

import io
import os
import tarfile

import pytest

from chalicelib.adapters.local import artifact_io
from chalicelib.adapters.local.pod_files import PodError, PodFs, named_paths, unused_tops
from chalicelib.adapters.local.pod_outputs import RESULT_LIMIT, result_of


@pytest.fixture
def pod(tmp_path):
    fs = tmp_path / "fs"
    for top in ("data", "tmp"):
        (fs / top).mkdir(parents=True)
    shared = tmp_path / "volumes" / "work"
    shared.mkdir(parents=True)
    return PodFs(fs, {"data", "tmp"}, {"/data/work": shared})


def test_container_paths_map_to_the_pods_folders_and_its_volumes(pod):
    assert pod.host("/data/x/y") == pod.fs / "data" / "x" / "y"
    assert pod.host("/data/work/m") == pod.binds["/data/work"] / "m"
    assert pod.host("/tmp/../data/./z") == pod.fs / "data" / "z"
    with pytest.raises(PodError, match="not in the pod's own folders"):
        pod.host("/etc/passwd")


def test_links_resolve_inside_the_pod(pod, tmp_path):
    (pod.fs / "data" / "real").mkdir()
    os.symlink("/data/real", pod.fs / "tmp" / "abs")
    os.symlink("../data/real", pod.fs / "tmp" / "rel")
    os.symlink(str(tmp_path), pod.fs / "tmp" / "host")  # the host's folder: inside the pod it is another path
    os.symlink("/etc", pod.fs / "tmp" / "etc")
    os.symlink("loop", pod.fs / "tmp" / "loop")
    assert pod.host("/tmp/abs/f") == pod.fs / "data" / "real" / "f"
    assert pod.host("/tmp/rel/f") == pod.fs / "data" / "real" / "f"
    try:
        inside = pod.host("/tmp/host/fs/data")
    except PodError:  # the host path's top is not one of the pod's folders
        inside = None
    assert inside is None or pod.fs in inside.parents  # never the host's own folder
    with pytest.raises(PodError):
        pod.host("/tmp/etc/passwd")
    with pytest.raises(PodError, match="too many levels"):
        pod.host("/tmp/loop/x")


def test_named_paths_and_the_tops_a_command_needs():
    words = ["sh", "-c", "cp /data/in/a.csv /output/b.csv && curl http://host/path --out=/results/x"]
    assert named_paths(words) == ["/data/in/a.csv", "/output/b.csv", "/results/x"]
    assert unused_tops(["/output/b", "/etc/x", "/usr/bin", "/results/x"], {"etc", "usr"}) == {"output", "results"}


def test_argo_archives_name_the_path_and_unpack_to_any_name(tmp_path):
    source = tmp_path / "out"
    (source / "sub").mkdir(parents=True)
    (source / "a.txt").write_text("a")
    (source / "sub" / "b.txt").write_text("b")
    os.symlink("/etc/passwd", source / "link")  # a link a step left is neither followed nor stored
    data = artifact_io.pack(source, "model")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        assert sorted(tar.getnames()) == ["model", "model/a.txt", "model/sub", "model/sub/b.txt"]
    assert artifact_io.is_tarball(data) and not artifact_io.is_tarball(b"\x1f\x8b not gzip")
    placed = artifact_io.unpack(data, tmp_path / "staging")
    assert (placed / "sub" / "b.txt").read_text() == "b"  # the single top entry is what goes at the path
    (tmp_path / "file").write_text("one file")
    single = artifact_io.unpack(artifact_io.pack(tmp_path / "file", "f.txt"), tmp_path / "staging2")
    assert single.name == "f.txt" and single.read_text() == "one file"


def test_result_is_stdout_less_one_newline_capped_like_argo():
    assert result_of(b"a\n\n") == "a\n" and result_of(b"") == ""
    assert len(result_of(b"x" * (RESULT_LIMIT + 10))) == RESULT_LIMIT
