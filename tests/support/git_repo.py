"""Real Git repositories for tests, written with dulwich."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

from dulwich import porcelain
from dulwich.repo import Repo


def commit_tree(path: Path, files: Dict[str, Optional[str]], message: str = "update") -> str:
    """Write (or delete, for None) files in the repo at `path` (created if needed) and commit; return the sha."""
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(str(path)) if (path / ".git").exists() else Repo.init(str(path))
    for name, content in files.items():
        target = path / name
        if content is None:
            if target.exists():
                porcelain.remove(repo, paths=[str(target)])
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        porcelain.add(repo, paths=[str(target)])
    sha = porcelain.commit(repo, message=message.encode(), author=b"Test <test@example.com>",
                           committer=b"Test <test@example.com>")
    return sha.decode() if isinstance(sha, bytes) else str(sha)
