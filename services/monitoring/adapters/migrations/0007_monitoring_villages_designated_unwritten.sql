-- monitoring.villages.designated is no longer written: village.without_team is judged from the
-- designation spells (0006), and nothing reads the column. Here it may only be left empty (rows
-- this release writes have none). The release before still writes it during a rollout, so the
-- column itself is dropped in the next release, once no running code writes it (expand, then
-- contract: docs/deployment.md).
alter table monitoring.villages alter column designated drop not null;
