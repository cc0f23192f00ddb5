"""Dockerfile recipes and image folders for the local engine."""
from __future__ import annotations

import pytest

from chalicelib.adapters.local.images import (ImageError, ImageResolver, build_into, container_path,
                                              parse_dockerfile, top_of)


def test_dockerfile_workdir_env_copy_entrypoint_of_the_last_stage():
    recipe = parse_dockerfile("""
        FROM node AS build
        WORKDIR /ignored
        FROM python:3.11
        WORKDIR /app
        WORKDIR src
        ENV A=1 B="two words"
        ENV C 3
        COPY --chown=1 requirements.txt ./
        COPY --from=build /x /y
        ADD ["data", "/data/"]
        ENTRYPOINT ["python"]
        CMD python main.py \\
            --fast
    """)
    assert recipe.workdir == "/app/src"
    assert recipe.env == {"A": "1", "B": "two words", "C": "3"}
    assert recipe.copies == [(["requirements.txt"], "/app/src/"), (["data"], "/data/")]
    assert recipe.entrypoint == ["python"]
    assert recipe.cmd == ["/bin/sh", "-c", "python main.py  --fast"]


def test_mapping_exact_untagged_and_star(tmp_path):
    home = tmp_path / ".aicore"
    home.mkdir()
    (tmp_path / "img").mkdir()
    (home / "images.yaml").write_text("images:\n  me/a: img\n  '*': img\n")
    resolver = ImageResolver(home / "images.yaml")
    assert resolver.folder("me/a:1.0") == (tmp_path / "img").resolve()
    assert resolver.folder("other") == (tmp_path / "img").resolve()
    (home / "images.yaml").write_text("images:\n  me/a: missing\n")
    with pytest.raises(ImageError, match="not a folder"):
        resolver.folder("me/a")


def test_build_copies_like_docker_and_never_leaves_the_folder(tmp_path):
    folder = tmp_path / "img"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "train.py").write_text("x")
    (folder / "req.txt").write_text("y")
    (folder / "Dockerfile").write_text("FROM p\nWORKDIR /app\nCOPY src/ /app/src/\nCOPY req.txt .\n")
    resolver = ImageResolver(tmp_path / "images.yaml")
    (tmp_path / "images.yaml").write_text(f"images:\n  i: {folder}\n")
    fs = tmp_path / "fs"
    build_into(resolver.recipe("i"), fs)
    assert (fs / "app" / "src" / "train.py").read_text() == "x"
    assert (fs / "app" / "req.txt").read_text() == "y"
    (folder / "Dockerfile").write_text("FROM p\nCOPY ../../etc/passwd /x\n")
    with pytest.raises(ImageError, match="leaves the image folder"):
        build_into(resolver.recipe("i"), fs)


def test_container_paths_stay_under_fs(tmp_path):
    assert container_path(tmp_path, "/../../etc/x") == tmp_path / "etc" / "x"
    assert top_of("/app/data/") == "app" and top_of("/") is None


def test_run_chmod_is_honoured_and_other_run_commands_are_not(tmp_path):
    from chalicelib.adapters.local.images import apply_mode

    folder = tmp_path / "img"
    (folder / "bin").mkdir(parents=True)
    (folder / "argosay").write_text("#!/bin/sh\necho hi\n")
    (folder / "argosay").chmod(0o644)
    (folder / "bin" / "tool").write_text("x")
    (folder / "bin" / "tool").chmod(0o600)
    (folder / "Dockerfile").write_text("FROM scratch\nCOPY argosay /argosay\nCOPY bin /opt/bin\n"
                                       "RUN chmod +x /argosay\nRUN apt-get update && chmod -R 755 /opt/bin\n"
                                       "RUN touch /never\nENTRYPOINT [\"/argosay\"]\n")
    (tmp_path / "images.yaml").write_text(f"images:\n  argosay: {folder}\n")
    recipe = ImageResolver(tmp_path / "images.yaml").recipe("argosay")
    assert recipe.chmods == [("+x", False, ["/argosay"]), ("755", True, ["/opt/bin"])]
    fs = tmp_path / "fs"
    build_into(recipe, fs)
    assert (fs / "argosay").stat().st_mode & 0o777 == 0o755  # a single file at the root
    assert (fs / "opt" / "bin" / "tool").stat().st_mode & 0o777 == 0o755
    assert not (fs / "never").exists()
    assert apply_mode("u+x,go-r", 0o644, False) == 0o700 and apply_mode("a=rX", 0o600, True) == 0o555
