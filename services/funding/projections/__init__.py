"""The funding service's read models and its reactor, kept by its worker."""

from shared.projections.directory import VillageDirectory

from services.funding.projections.designations import DesignationFreezes
from services.funding.projections.ledger import Ledger
from services.funding.projections.milestones import MilestoneReleases
from services.funding.projections.reach import TeamReach

PROJECTIONS = [VillageDirectory(), MilestoneReleases(), DesignationFreezes(), Ledger(), TeamReach()]
