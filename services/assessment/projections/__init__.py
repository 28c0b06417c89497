"""The assessment service's read models, kept by its worker."""

from shared.projections.directory import VillageDirectory

PROJECTIONS = [VillageDirectory()]
