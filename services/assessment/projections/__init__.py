"""The assessment service's read models, kept by its worker.

- ``village_directory``: its own copy of the village register (is a village registered,
  in which district?), checked by commands.
- ``assessment_facts``: every fact an assessment or an as-of query reads — its own
  events and registry's and funding's — as append-only rows with positions.
"""

from shared.projections.directory import VillageDirectory

from services.assessment.projections.facts import AssessmentFacts

PROJECTIONS = [VillageDirectory(), AssessmentFacts()]
