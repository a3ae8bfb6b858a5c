-- +goose Up
-- What an audit entry is about, as it was when the entry was written: the subject may be gone since
-- (a rejected town is deleted), and the person concerned is still told its name when the message
-- about it goes out.
ALTER TABLE audit_log ADD COLUMN detail JSONB NOT NULL DEFAULT '{}'::jsonb;

-- +goose Down
ALTER TABLE audit_log DROP COLUMN detail;
