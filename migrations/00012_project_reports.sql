-- +goose Up
-- Reports of projects that break the rules, and what a coordinator did about
-- them. A report outlives its reporter's /deleteme (only the link to the
-- person goes), so moderation keeps its record.
CREATE TABLE project_reports (
    id          BIGSERIAL PRIMARY KEY,
    project_id  BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    reporter_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('spam', 'offensive', 'misleading', 'other')),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'hidden', 'dismissed')),
    resolved_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at TIMESTAMPTZ
);
-- One open report per person and project.
CREATE UNIQUE INDEX project_reports_open_idx ON project_reports (project_id, reporter_id) WHERE status = 'open';
CREATE INDEX project_reports_queue_idx ON project_reports (created_at) WHERE status = 'open';
CREATE INDEX project_reports_reporter_idx ON project_reports (reporter_id);
CREATE INDEX project_reports_resolved_by_idx ON project_reports (resolved_by) WHERE resolved_by IS NOT NULL;

-- +goose Down
DROP TABLE project_reports;
