-- proj.claim and the note of the offsets and positions a batch reaches, as one call: a
-- projection's batch was BEGIN, claim, its statements, the note and COMMIT, each a round trip
-- (shared/projections/runner.py). The positions are returned as they were before the note
-- (RETURN QUERY keeps its rows and goes on): the runner skips by them what it applied before.
-- A batch reaching no further than what is noted changes no row.
create function proj.claim_noting(p_projection text, p_lock bigint, p_topics text[], p_partitions integer[],
                                  p_offsets bigint[], p_positions bigint[])
returns table (topic text, "partition" integer, "offset" bigint, "position" bigint)
language plpgsql volatile as $$
#variable_conflict use_column
begin
    perform pg_advisory_xact_lock(p_lock);
    return query select p.topic, p.partition, p."offset", p.position
                 from proj.positions p where p.projection = p_projection;
    insert into proj.positions as p (projection, topic, partition, "offset", position)
    select p_projection, u.topic, u.partition, u.off, u.pos
    from unnest(p_topics, p_partitions, p_offsets, p_positions) as u(topic, partition, off, pos)
    on conflict on constraint positions_pkey do update
        set "offset" = greatest(p."offset", excluded."offset"),
            position = greatest(p.position, excluded.position),
            updated_at = clock_timestamp()
        where excluded."offset" > p."offset" or excluded.position > p.position;
end $$;
