-- +goose Up
-- A username belongs to one account at a time: TouchUser takes it from the
-- former holder when Telegram reports it for another account. Rows that
-- share one from before keep it only on the account that reported it last.
UPDATE users u SET username = NULL
WHERE u.username IS NOT NULL AND EXISTS (
    SELECT FROM users o
    WHERE lower(o.username) = lower(u.username) AND o.id <> u.id AND (o.updated_at, o.id) > (u.updated_at, u.id));

-- +goose Down
-- The usernames taken from former holders are not restored.
SELECT 1;
