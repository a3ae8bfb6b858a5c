-- +goose Up
-- The shared pace (00022_delivery.sql, 00040_delivery_reserve_clock.sql) is taken in turns: one
-- instance at a time holds it and gets send slots; another that has messages waits for the
-- holder's turn to end. Interleaved slots, as before, let two instances' sends bunch in the same
-- second whenever one was late and the other on time: each instance's gate sees only its own
-- sends, so a second could hold more than Telegram's limit (31 in 982 ms was measured with two
-- instances). Within a turn the holder's gate sees every send; between two turns the pace leaves
-- a guard, longer than a late send of the last holder may be late.
--
-- holder is the instance holding the pace (NULL: nobody). It holds while it keeps reserving
-- (holder_seen no older than quiet) and, once another instance waits (contender), until
-- held_until; then the turn passes to the contender. A contender counts while it keeps asking
-- (contender_seen no older than quiet).
ALTER TABLE delivery_pace
    ADD COLUMN holder         TEXT,
    ADD COLUMN holder_seen    TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    ADD COLUMN held_until     TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    ADD COLUMN contender      TEXT,
    ADD COLUMN contender_seen TIMESTAMPTZ NOT NULL DEFAULT '-infinity';

DROP FUNCTION delivery_reserve(BIGINT[], BIGINT[], DOUBLE PRECISION[], DOUBLE PRECISION, DOUBLE PRECISION, TIMESTAMPTZ);

-- delivery_reserve hands out send slots for a batch of jobs of one instance in one round trip, as
-- before, when that instance holds the pace or may take it. Otherwise every request is answered
-- 'later' with how long to wait before asking again (at most poll seconds, so that the holder
-- keeps knowing it is waited for). turn_end is when the caller's turn ends ('infinity' while
-- nobody waits for it, '-infinity' when it does not hold the pace), on the pace's clock.
-- block: the least length of a turn once another instance waits; guard: the pause between two
-- holders' slots; notice: how long a holder keeps its turn after it learns that another
-- instance waits, at least; quiet: how long a holder or contender counts without asking.
-- +goose StatementBegin
CREATE FUNCTION delivery_reserve(job_ids BIGINT[], chat_ids BIGINT[], chat_gaps DOUBLE PRECISION[],
                                 gap DOUBLE PRECISION, horizon DOUBLE PRECISION, at TIMESTAMPTZ,
                                 instance TEXT, block DOUBLE PRECISION, guard DOUBLE PRECISION,
                                 notice DOUBLE PRECISION, quiet DOUBLE PRECISION, poll DOUBLE PRECISION)
RETURNS TABLE (i INT, verdict TEXT, wait DOUBLE PRECISION, now_at TIMESTAMPTZ, turn_end TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
    p         delivery_pace%ROWTYPE;
    start_at  TIMESTAMPTZ;
    chat_next TIMESTAMPTZ;
    avail     INT;
    used      INT := 0;
    seen      BIGINT[] := '{}';
    slot      DOUBLE PRECISION;
BEGIN
    SELECT * INTO p FROM delivery_pace FOR UPDATE;
    now_at := coalesce(at, clock_timestamp());
    IF p.contender IS NOT NULL AND p.contender_seen < now_at - make_interval(secs => quiet) THEN
        p.contender := NULL;
    END IF;
    IF p.holder IS NOT NULL AND p.holder_seen < now_at - make_interval(secs => quiet) THEN
        -- The holder went quiet: idle, or gone.
        p.holder := NULL;
        p.next_at := p.next_at + make_interval(secs => guard);
    ELSIF p.holder IS NOT NULL AND p.contender IS NOT NULL AND now_at >= p.held_until THEN
        -- Its turn is over and another instance waits: the turn passes.
        p.holder := p.contender;
        p.holder_seen := now_at;
        p.contender := NULL;
        p.next_at := p.next_at + make_interval(secs => guard);
        p.held_until := greatest(p.next_at, now_at) + make_interval(secs => block);
    END IF;
    IF p.holder IS NULL THEN
        p.holder := instance;
        p.next_at := greatest(p.next_at, now_at);
        p.held_until := p.next_at + make_interval(secs => block);
        IF p.contender = instance THEN
            p.contender := NULL;
        END IF;
    END IF;

    IF p.holder <> instance THEN
        -- Wait for the holder's turn to end, and let it know.
        IF p.contender IS NULL THEN
            p.contender := instance;
            p.held_until := greatest(p.held_until, now_at + make_interval(secs => notice));
        END IF;
        IF p.contender = instance THEN
            p.contender_seen := now_at;
        END IF;
        UPDATE delivery_pace SET holder = p.holder, holder_seen = p.holder_seen, held_until = p.held_until,
            contender = p.contender, contender_seen = p.contender_seen, next_at = p.next_at;
        turn_end := '-infinity';
        verdict := 'later';
        wait := least(greatest(extract(epoch FROM p.held_until - now_at), 0), poll);
        FOR n IN 1 .. coalesce(cardinality(job_ids), 0) LOOP
            i := n;
            RETURN NEXT;
        END LOOP;
        RETURN;
    END IF;

    p.holder_seen := now_at;
    start_at := greatest(p.next_at, now_at);
    IF start_at > now_at + make_interval(secs => horizon) THEN
        avail := 0;
    ELSE
        avail := floor((extract(epoch FROM now_at - start_at) + horizon) / gap)::INT + 1;
    END IF;
    IF p.contender IS NULL THEN
        turn_end := 'infinity';
    ELSE
        -- Every slot of a turn that another instance waits for lies before its end.
        turn_end := p.held_until;
        avail := least(avail, greatest(ceil(extract(epoch FROM p.held_until - start_at) / gap)::INT, 0));
    END IF;
    FOR n IN 1 .. coalesce(cardinality(job_ids), 0) LOOP
        i := n;
        IF used >= avail THEN
            verdict := 'later';
            wait := greatest(extract(epoch FROM start_at - now_at) + used * gap - horizon, 0);
            IF p.contender IS NOT NULL THEN
                wait := least(wait, greatest(extract(epoch FROM p.held_until - now_at), 0));
            END IF;
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
    UPDATE delivery_pace SET next_at = start_at + make_interval(secs => used * gap),
        holder = p.holder, holder_seen = p.holder_seen, held_until = p.held_until,
        contender = p.contender, contender_seen = p.contender_seen;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION delivery_reserve(BIGINT[], BIGINT[], DOUBLE PRECISION[], DOUBLE PRECISION, DOUBLE PRECISION, TIMESTAMPTZ,
                               TEXT, DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION);
ALTER TABLE delivery_pace DROP COLUMN holder, DROP COLUMN holder_seen, DROP COLUMN held_until,
    DROP COLUMN contender, DROP COLUMN contender_seen;
-- The interleaved pace of 00040_delivery_reserve_clock.sql, as it was.
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
