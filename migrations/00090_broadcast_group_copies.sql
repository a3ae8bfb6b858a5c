-- +goose Up
-- Broadcasts to youth groups (issue 10): each youth group a broadcast reaches and what became
-- of its copy, as broadcast_recipients holds it for people. A group is no person: nothing here
-- is personal data. chat_id follows a group upgraded to a supergroup (ON UPDATE CASCADE).
CREATE TABLE broadcast_group_copies (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id      BIGINT NOT NULL REFERENCES group_chats (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    due_at       TIMESTAMPTZ NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sent', 'blocked', 'failed', 'dropped', 'stopped')),
    message_id   BIGINT,
    revision     INT NOT NULL DEFAULT 0,
    PRIMARY KEY (broadcast_id, chat_id)
);
CREATE INDEX broadcast_group_copies_chat_idx ON broadcast_group_copies (chat_id);

-- +goose Down
DROP TABLE broadcast_group_copies;
