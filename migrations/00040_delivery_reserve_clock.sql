-- +goose Up
-- delivery_reserve (see 00022_delivery.sql) learns to take the pace's clock as a parameter. NULL,
-- what every engine passes, keeps the database's clock_timestamp(), shared by all instances; a
-- test passes instants of its own, so that it can reserve a minute of slots for several engines
-- and check them without waiting a minute. Nothing else changes.
DROP FUNCTION delivery_reserve(BIGINT[], BIGINT[], DOUBLE PRECISION[], DOUBLE PRECISION, DOUBLE PRECISION);

-- +goose StatementBegin
CREATE FUNCTION delivery_reserve(job_ids BIGINT[], chat_ids BIGINT[], chat_gaps DOUBLE PRECISION[],
                                 gap DOUBLE PRECISION, horizon DOUBLE PRECISION,
                                 at TIMESTAMPTZ DEFAULT NULL)
RETURNS TABLE (i INT, verdict TEXT, wait DOUBLE PRECISION, now_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
    start_at  TIMESTAMPTZ;
    chat_next TIMESTAMPTZ;
    avail     INT;
    used      INT := 0;
    seen      BIGINT[] := '{}';
    slot      DOUBLE PRECISION;
BEGIN
    SELECT p.next_at INTO start_at FROM delivery_pace p FOR UPDATE;
    now_at := coalesce(at, clock_timestamp());
    start_at := greatest(start_at, now_at);
    IF start_at > now_at + make_interval(secs => horizon) THEN
        avail := 0;
    ELSE
        avail := floor((extract(epoch FROM now_at - start_at) + horizon) / gap)::INT + 1;
    END IF;
    FOR n IN 1 .. coalesce(cardinality(job_ids), 0) LOOP
        i := n;
        IF used >= avail THEN
            verdict := 'later';
            wait := greatest(extract(epoch FROM start_at - now_at) + used * gap - horizon, 0);
        ELSIF EXISTS (SELECT 1 FROM delivery_sent s WHERE s.job_id = job_ids[n]) THEN
            verdict := 'sent'; wait := 0;
        ELSIF EXISTS (SELECT 1 FROM delivery_inactive x WHERE x.chat_id = chat_ids[n]) THEN
            verdict := 'inactive'; wait := 0;
        ELSIF chat_ids[n] = ANY (seen) THEN
            verdict := 'chat'; wait := chat_gaps[n];
        ELSE
            seen := seen || chat_ids[n];
            INSERT INTO delivery_chat_pace (chat_id, next_at) VALUES (chat_ids[n], '-infinity')
            ON CONFLICT (chat_id) DO NOTHING;
            SELECT c.next_at INTO chat_next FROM delivery_chat_pace c WHERE c.chat_id = chat_ids[n] FOR UPDATE;
            slot := extract(epoch FROM start_at - now_at) + used * gap;
            IF chat_next > now_at + make_interval(secs => slot) THEN
                verdict := 'chat'; wait := extract(epoch FROM chat_next - now_at);
            ELSE
                verdict := 'go'; wait := slot;
                used := used + 1;
                UPDATE delivery_chat_pace SET next_at = now_at + make_interval(secs => slot + chat_gaps[n])
                WHERE chat_id = chat_ids[n];
            END IF;
        END IF;
        RETURN NEXT;
    END LOOP;
    UPDATE delivery_pace SET next_at = start_at + make_interval(secs => used * gap);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION delivery_reserve(BIGINT[], BIGINT[], DOUBLE PRECISION[], DOUBLE PRECISION, DOUBLE PRECISION, TIMESTAMPTZ);

-- +goose StatementBegin
CREATE FUNCTION delivery_reserve(job_ids BIGINT[], chat_ids BIGINT[], chat_gaps DOUBLE PRECISION[],
                                 gap DOUBLE PRECISION, horizon DOUBLE PRECISION)
RETURNS TABLE (i INT, verdict TEXT, wait DOUBLE PRECISION, now_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
    start_at  TIMESTAMPTZ;
    chat_next TIMESTAMPTZ;
    avail     INT;
    used      INT := 0;
    seen      BIGINT[] := '{}';
    slot      DOUBLE PRECISION;
BEGIN
    SELECT p.next_at INTO start_at FROM delivery_pace p FOR UPDATE;
    now_at := clock_timestamp();
    start_at := greatest(start_at, now_at);
    IF start_at > now_at + make_interval(secs => horizon) THEN
        avail := 0;
    ELSE
        avail := floor((extract(epoch FROM now_at - start_at) + horizon) / gap)::INT + 1;
    END IF;
    FOR n IN 1 .. coalesce(cardinality(job_ids), 0) LOOP
        i := n;
        IF used >= avail THEN
            verdict := 'later';
            wait := greatest(extract(epoch FROM start_at - now_at) + used * gap - horizon, 0);
        ELSIF EXISTS (SELECT 1 FROM delivery_sent s WHERE s.job_id = job_ids[n]) THEN
            verdict := 'sent'; wait := 0;
        ELSIF EXISTS (SELECT 1 FROM delivery_inactive x WHERE x.chat_id = chat_ids[n]) THEN
            verdict := 'inactive'; wait := 0;
        ELSIF chat_ids[n] = ANY (seen) THEN
            verdict := 'chat'; wait := chat_gaps[n];
        ELSE
            seen := seen || chat_ids[n];
            INSERT INTO delivery_chat_pace (chat_id, next_at) VALUES (chat_ids[n], '-infinity')
            ON CONFLICT (chat_id) DO NOTHING;
            SELECT c.next_at INTO chat_next FROM delivery_chat_pace c WHERE c.chat_id = chat_ids[n] FOR UPDATE;
            slot := extract(epoch FROM start_at - now_at) + used * gap;
            IF chat_next > now_at + make_interval(secs => slot) THEN
                verdict := 'chat'; wait := extract(epoch FROM chat_next - now_at);
            ELSE
                verdict := 'go'; wait := slot;
                used := used + 1;
                UPDATE delivery_chat_pace SET next_at = now_at + make_interval(secs => slot + chat_gaps[n])
                WHERE chat_id = chat_ids[n];
            END IF;
        END IF;
        RETURN NEXT;
    END LOOP;
    UPDATE delivery_pace SET next_at = start_at + make_interval(secs => used * gap);
END
$$;
-- +goose StatementEnd
