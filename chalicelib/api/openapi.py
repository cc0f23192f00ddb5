"""Routes for openapi (to be filled)."""
from chalice import Blueprint

bp = Blueprint(__name__)
