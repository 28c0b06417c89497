"""The registry service's read models, kept by its worker."""

from shared.projections.directory import VillageDirectory

from services.registry.projections.activity import ActivityProjection

PROJECTIONS = [VillageDirectory(), ActivityProjection()]
