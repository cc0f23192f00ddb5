"""Real Git repositories in a temporary directory, written with dulwich (no git binary needed)."""
from __future__ import annotations

import os
from pathlib import Path

from dulwich import porcelain
from dulwich.repo import Repo

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
AUTHOR = b"Test Author <author@example.com>"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


class GitRepo:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        porcelain.init(str(self.path)).close()

    @property
    def url(self) -> str:
        return str(self.path)

    def write(self, relative: str, text: str) -> "GitRepo":
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        with Repo(str(self.path)) as repo:
            porcelain.add(repo, [str(target)])
        return self

    def symlink(self, relative: str, points_to: str) -> "GitRepo":
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(points_to, target)
        with Repo(str(self.path)) as repo:
            porcelain.add(repo, [str(target)])
        return self

    def remove(self, relative: str) -> "GitRepo":
        with Repo(str(self.path)) as repo:
            porcelain.remove(repo, [str(self.path / relative)])
        return self

    def commit(self, message: str = "change") -> str:
        with Repo(str(self.path)) as repo:
            return porcelain.commit(repo, message=message.encode(), author=AUTHOR, committer=AUTHOR).decode()

    def tag(self, name: str, annotated: bool = True) -> None:
        with Repo(str(self.path)) as repo:
            porcelain.tag_create(repo, name.encode(), author=AUTHOR, message=b"release", annotated=annotated)

    def branch(self, name: str) -> None:
        with Repo(str(self.path)) as repo:
            porcelain.branch_create(repo, name)


def sync_now() -> int:
    """Run every queued sync/check request in this thread, as the local worker would."""
    from chalicelib.adapters.git.worker import drain
    from chalicelib.bootstrap import container

    c = container()
    return drain(c.git_sync, c.sync_queue)


def templates_repo(tmp_path, *files: str) -> GitRepo:
    """A repository with the given fixture templates under workflows/, committed once."""
    repo = GitRepo(tmp_path / "templates-repo")
    for name in files or ("training.yaml", "serving.yaml"):
        repo.write(f"workflows/{name}", fixture(name))
    repo.commit("templates")
    return repo
