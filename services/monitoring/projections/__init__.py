"""The monitoring service's reactor (conditions → alerts) and its alert read models, kept by its worker."""

from services.monitoring.projections.board import AlertBoard
from services.monitoring.projections.watch import Watch

PROJECTIONS = [Watch(), AlertBoard()]
