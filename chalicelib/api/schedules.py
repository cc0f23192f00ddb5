"""Routes for schedules (to be filled)."""
from chalice import Blueprint

bp = Blueprint(__name__)
