-- +goose Up
-- Every running delivery engine beats here (package delivery, liveness.go). An engine that has
-- not beaten for a while is gone: another one hands the messages it was sending (River jobs it
-- left running, attempted_by ending with its id) back to the queue at once, instead of after
-- River's rescue time of minutes.
CREATE TABLE delivery_instances (
    id      TEXT PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE delivery_instances;
