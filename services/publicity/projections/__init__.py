from services.publicity.projections.villages import VillagesProjection

PROJECTIONS = [VillagesProjection()]
