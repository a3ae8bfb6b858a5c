-- +goose Up
-- Groups Telegram upgraded to a supergroup, which has a new id (package delivery): a message for
-- the old id goes to the new one. Learned from Telegram's "group chat was upgraded to a
-- supergroup chat" (parameters.migrate_to_chat_id) or from the upgrade's service message.
CREATE TABLE delivery_migrated (
    chat_id    BIGINT PRIMARY KEY,
    to_chat_id BIGINT NOT NULL CHECK (to_chat_id <> chat_id),
    since      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE delivery_migrated;
