"""Projections: read models kept from the event topics, rebuildable from offset zero."""

from shared.projections.projection import Delivery, Projection
from shared.projections.runner import ProjectionRunner, QuarantineError, rebuild_together

__all__ = ["Delivery", "Projection", "ProjectionRunner", "QuarantineError", "rebuild_together"]
