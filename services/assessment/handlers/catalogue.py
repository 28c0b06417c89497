"""任务目录 / issuing catalogue versions, and seeding version 1 once."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.assessment.domain.catalogue import IssueCatalogue, TaskCatalogue, first_version


def _summary(event) -> dict:
    return {"catalogue_version": event.catalogue_version, "effective_from": event.effective_from.isoformat(),
            "tasks": sum(len(a.tasks) for a in event.actions)}


async def issue_catalogue(uow: UnitOfWork, cmd: IssueCatalogue) -> dict:
    catalogue = await uow.load(TaskCatalogue, TaskCatalogue.KEY)
    event = catalogue.issue(cmd)
    await uow.save(catalogue)
    return _summary(event)


async def seed_catalogue(uow: UnitOfWork) -> dict:
    """Version 1 from ``shared.reference.tasks``, unless a catalogue exists already."""
    catalogue = await uow.load(TaskCatalogue, TaskCatalogue.KEY)
    if catalogue.exists:
        return {"seeded": False, **_summary(catalogue.versions[0])}
    event = catalogue.issue(first_version())
    await uow.save(catalogue)
    return {"seeded": True, **_summary(event)}
