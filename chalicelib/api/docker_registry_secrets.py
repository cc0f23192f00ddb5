"""Routes for docker_registry_secrets (to be filled)."""
from chalice import Blueprint

bp = Blueprint(__name__)
