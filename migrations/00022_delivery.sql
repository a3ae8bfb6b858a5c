-- +goose Up
-- The delivery engine's shared state (package delivery). Jobs themselves live in River's river_job.

-- The send pace of the bot token, shared by every instance: the earliest time the next message may
-- go. Reservations move it forward by one gap per message; a 429 pushes it past retry_after.
CREATE TABLE delivery_pace (
    id      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    next_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity'
);
INSERT INTO delivery_pace DEFAULT VALUES;

-- The same per chat (about one message a second to a private chat, 20 a minute to a group).
-- Rows are pruned once in the past.
CREATE TABLE delivery_chat_pace (
    chat_id BIGINT PRIMARY KEY,
    next_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX delivery_chat_pace_next_at_idx ON delivery_chat_pace (next_at);

-- Chats that blocked the bot or no longer exist: nothing more is sent to them until they write
-- to the bot again.
CREATE TABLE delivery_inactive (
    chat_id BIGINT PRIMARY KEY,
    reason  TEXT NOT NULL,
    since   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Jobs whose message Telegram accepted. Written right after the send, before River records the
-- job as completed, so a job run again after a crash finds it here and does not send twice.
CREATE TABLE delivery_sent (
    job_id     BIGINT PRIMARY KEY,
    message_id BIGINT NOT NULL,
    sent_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX delivery_sent_sent_at_idx ON delivery_sent (sent_at);

-- delivery_reserve hands out send times for a batch of jobs in one round trip. Request n is the
-- job job_ids[n] to chat chat_ids[n], whose chat needs chat_gaps[n] seconds between messages.
-- Global slots are gap seconds apart and handed out at most horizon seconds ahead, so a pause
-- after a 429 reaches every instance soon. Answers, one per request (i = n):
--   sent      the job's message already went out (a run after a crash): do not send
--   inactive  the chat blocked the bot or is gone: do not send
--   go        send in wait seconds
--   chat      the chat is not ready: ask again in wait seconds
--   later     no global slot left now: ask again (this instance's next batch waits wait seconds)
-- Waits count from now_at, the database's time at the call, the same in every row; callers turn
-- now_at + wait into their own clock's time, so when the answer reached them does not matter.
-- The pace row is locked first, so calls from all instances run one at a time and chat rows are
-- only ever locked under it: no deadlocks.
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

-- +goose Down
DROP FUNCTION delivery_reserve;
DROP TABLE delivery_sent;
DROP TABLE delivery_inactive;
DROP TABLE delivery_chat_pace;
DROP TABLE delivery_pace;
