"""Routes for generic_secrets (to be filled)."""
from chalice import Blueprint

bp = Blueprint(__name__)
