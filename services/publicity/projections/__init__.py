"""The publicity service's read models, kept by its worker."""

from services.publicity.projections.publications import PublicationsProjection
from services.publicity.projections.statistics import StatisticsProjection
from services.publicity.projections.villages import VillagesProjection

PROJECTIONS = [VillagesProjection(), StatisticsProjection(), PublicationsProjection()]
