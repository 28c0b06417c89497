-- Run by yoyo after every migrate that applied something (a post-apply hook, not numbered):
-- what the application role may do, on everything migrated so far. The role's name comes
-- from the migrator's session (xingcun.app_role, shared/migrations); empty when the
-- services run as the owner. The event log is append-only for it: no UPDATE, DELETE or
-- TRUNCATE on es.events and es.log, so the application cannot rewrite, remove or reorder
-- history; only the relay's checkpoints move. Of yoyo's bookkeeping it reads only which
-- migrations are applied (the start-up check).
do $grants$
declare
    app text := current_setting('xingcun.app_role', true);
    s text;
begin
    if coalesce(app, '') = '' then
        return;
    end if;
    for s in select nspname from pg_namespace
             where nspname not like 'pg\_%' and nspname not in ('information_schema', 'es') loop
        execute format('grant usage on schema %I to %I', s, app);
        execute format('grant all on all tables in schema %I to %I', s, app);
        execute format('grant all on all sequences in schema %I to %I', s, app);
    end loop;
    execute format('revoke all on public._yoyo_migration, public._yoyo_log, public._yoyo_version, public.yoyo_lock from %I', app);
    execute format('grant select on public._yoyo_migration to %I', app);
    execute format('grant usage on schema es to %I', app);
    execute format('revoke all on all tables in schema es from %I', app);
    execute format('grant select, insert on es.events, es.log, es.commands to %I', app);
    execute format('grant select, update on es.relay_state to %I', app);
    execute format('grant usage on all sequences in schema es to %I', app);
end
$grants$;
