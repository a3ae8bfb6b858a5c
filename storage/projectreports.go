package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ReportReasons are the ids of the reasons a project can be reported for;
// their names live in locales/ as "report_reason_<id>". Ids are stored.
var ReportReasons = []string{"spam", "offensive", "misleading", "other"}

// ValidReportReason reports whether id is one of ReportReasons.
func ValidReportReason(id string) bool { return slices.Contains(ReportReasons, id) }

// ErrAlreadyReported is returned when the person has an open report about
// the project already.
var ErrAlreadyReported = errors.New("already reported")

// ProjectReport is an open report with the project it is about.
type ProjectReport struct {
	ID        int64
	Reason    string
	CreatedAt time.Time
	Project   Project
}

// ReportProjectTx records reporterID's report about a project in tx and
// returns the report's id; ErrAlreadyReported when the person has an open
// report about it already (the failed insert leaves tx aborted: roll it
// back), ErrReportLimit when they filed ReportsPerDay in the last 24 hours
// on the database's clock (erasing their data does not reset that). The
// caller owns tx and schedules the notices to the coordinators in it, so
// that the report and its notices commit or fail together.
func (s *Store) ReportProjectTx(ctx context.Context, tx pgx.Tx, reporterID, projectID int64, reason string) (int64, error) {
	if !ValidReportReason(reason) {
		return 0, fmt.Errorf("unknown report reason %q", reason)
	}
	if err := lockPerson(ctx, tx, reporterID); err != nil {
		return 0, err
	}
	now, err := dbNow(ctx, tx)
	if err != nil {
		return 0, err
	}
	key, err := personKey(ctx, tx, reporterID)
	if err != nil {
		return 0, err
	}
	if n, err := countMarks(ctx, tx, key, limitReport, now); err != nil {
		return 0, err
	} else if n >= ReportsPerDay {
		return 0, ErrReportLimit
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO project_reports (project_id, reporter_id, reason) VALUES ($1, $2, $3)
		RETURNING id`, projectID, reporterID, reason).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "project_reports_open_idx" {
		return 0, ErrAlreadyReported
	}
	if err != nil {
		return 0, err
	}
	return id, addMark(ctx, tx, key, limitReport, 0, now.Add(limitWindow))
}

// OpenReport returns the report id while it is open, ErrNotFound once it
// has been dealt with (or its project or reporter is gone).
func (s *Store) OpenReport(ctx context.Context, id int64) (ProjectReport, error) {
	reports, err := s.openReports(ctx, 1, `r.id = $1`, id)
	if err != nil {
		return ProjectReport{}, err
	}
	if len(reports) == 0 {
		return ProjectReport{}, ErrNotFound
	}
	return reports[0], nil
}

// OpenReports lists up to limit open reports, oldest first.
func (s *Store) OpenReports(ctx context.Context, limit int) ([]ProjectReport, error) {
	return s.openReports(ctx, limit, `true`)
}

// openReports lists up to limit open reports that meet cond, oldest first.
func (s *Store) openReports(ctx context.Context, limit int, cond string, args ...any) ([]ProjectReport, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+projectColumns+`, r.id, r.reason, r.created_at`+projectFrom+`
		JOIN project_reports r ON r.project_id = p.id
		WHERE r.status = 'open' AND `+cond+`
		ORDER BY r.created_at, r.id
		LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ProjectReport, error) {
		var r ProjectReport
		var err error
		r.Project, err = scanProject(row, &r.ID, &r.Reason, &r.CreatedAt)
		return r, err
	})
}

// HideReportedProjectTx hides the project of the open report id, closes
// every open report about it and writes the audit log, in tx, and returns
// the hidden project. ErrNotFound when the report is not (or no longer)
// open, so a second coordinator's click changes nothing. The caller owns tx
// and schedules the notice to the owner in it, so that hiding and telling
// commit or fail together.
func (s *Store) HideReportedProjectTx(ctx context.Context, tx pgx.Tx, actorID, reportID int64) (Project, error) {
	return resolveReport(ctx, tx, actorID, reportID, true)
}

// DismissReport closes the open report id without acting on the project,
// in a transaction of its own: nobody is told. ErrNotFound as for
// HideReportedProjectTx.
func (s *Store) DismissReport(ctx context.Context, actorID, reportID int64) (Project, error) {
	var p Project
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		p, err = resolveReport(ctx, tx, actorID, reportID, false)
		return err
	})
	return p, err
}

func resolveReport(ctx context.Context, tx pgx.Tx, actorID, reportID int64, hide bool) (Project, error) {
	var projectID int64
	if err := tx.QueryRow(ctx, `SELECT project_id FROM project_reports WHERE id = $1 AND status = 'open' FOR UPDATE`,
		reportID).Scan(&projectID); err != nil {
		return Project{}, notFound(err)
	}
	status, action, scope := "dismissed", "report_dismissed", `id = $1 AND project_id = $2`
	if hide {
		status, action, scope = "hidden", "project_hidden", `(id = $1 OR project_id = $2) AND status = 'open'`
		if _, err := tx.Exec(ctx, `UPDATE projects SET hidden_at = coalesce(hidden_at, now()), updated_at = now()
			WHERE id = $1`, projectID); err != nil {
			return Project{}, err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE project_reports SET status = $3, resolved_by = $4, resolved_at = now()
		WHERE `+scope, reportID, projectID, status, actorID); err != nil {
		return Project{}, err
	}
	p, err := scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, projectID))
	if err != nil {
		return p, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, target_id) VALUES ($1, $2, $3)`,
		actorID, fmt.Sprintf("%s:%d", action, projectID), p.OwnerID)
	return p, err
}

// UnhideProjectTx lists the hidden project id again and writes the audit
// log, in tx, and returns the project. ErrNotFound when the project is not
// hidden (any more), so a second click changes nothing. The caller owns tx
// and schedules the notice to the owner in it, so that showing and telling
// commit or fail together.
func (s *Store) UnhideProjectTx(ctx context.Context, tx pgx.Tx, actorID, id int64) (Project, error) {
	tag, err := tx.Exec(ctx, `UPDATE projects SET hidden_at = NULL, updated_at = now()
		WHERE id = $1 AND hidden_at IS NOT NULL`, id)
	if err != nil {
		return Project{}, err
	}
	if tag.RowsAffected() == 0 {
		return Project{}, ErrNotFound
	}
	p, err := scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id))
	if err != nil {
		return p, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, target_id) VALUES ($1, $2, $3)`,
		actorID, fmt.Sprintf("project_unhidden:%d", id), p.OwnerID)
	return p, err
}

// ReportedProject returns the project with id whatever its state (hidden
// included), for what is said about reports on it.
func (s *Store) ReportedProject(ctx context.Context, id int64) (Project, error) {
	return scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id))
}
