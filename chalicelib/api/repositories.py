"""/v2/admin/repositories: Git repositories for template sync (tenant level; the RG header is ignored)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse
from chalicelib.schemas.repositories import RepositoryCreate, RepositoryCredentials, RepositoryOut

from .routing import route

bp = Blueprint(__name__)
BASE = "/v2/admin/repositories"


def _out(repo) -> RepositoryOut:
    return RepositoryOut(name=repo.name, url=repo.url, status=repo.status)


@route(bp, BASE, ["POST"], body=RepositoryCreate, response=IdMessage, summary="On-board a Git repository")
def create(req):
    body = req.body(RepositoryCreate)
    repo = container().repositories.create(req.ctx, body.name, body.url, body.username, body.password)
    return IdMessage(id=repo.name, message="Repository has been on-boarded")


@route(bp, BASE, ["GET"], response=ListOf(RepositoryOut), query=("$top", "$skip", "$count"),
       summary="List on-boarded repositories")
def query(req):
    skip, top = req.paging(default_top=None)
    from chalicelib.domain.repositories import Repository

    page = container().repositories.query(req.ctx, skip, top)
    items = [_out(Repository.from_record(r)) for r in page.items]
    return ListResponse[RepositoryOut](count=req.admin_count(page.count, len(items)),
                                       resources=items)


@route(bp, BASE + "/{repository_name}", ["GET"], response=RepositoryOut, summary="Get a repository")
def get(req, repository_name):
    return _out(container().repositories.get(req.ctx, repository_name))


@route(bp, BASE + "/{repository_name}", ["PATCH"], body=RepositoryCredentials, response=IdMessage,
       summary="Replace a repository's credentials")
def modify(req, repository_name):
    body = req.body(RepositoryCredentials)
    container().repositories.modify(req.ctx, repository_name, body.username, body.password)
    return IdMessage(id=repository_name, message="Repository has been updated")


@route(bp, BASE + "/{repository_name}", ["DELETE"], response=IdMessage, summary="Off-board a repository")
def delete(req, repository_name):
    container().repositories.delete(req.ctx, repository_name)
    return IdMessage(id=repository_name, message="The repository has been off-boarded.")
