package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Sectors are the ids of the four levels partnerships work on:
// administration and municipal services (schools, fire brigades,
// hospitals), organised civil society, business and investment, and
// cross-sector forums. Their names live in locales/ as "sector_<id>". Ids
// are stored: never rename one.
var Sectors = []string{"administration", "civil_society", "business", "forums"}

// ValidSector reports whether id is one of Sectors.
func ValidSector(id string) bool { return slices.Contains(Sectors, id) }

// Limits of a project's texts, in characters.
const (
	MaxTitleLen       = 120
	MaxDescriptionLen = 2000
)

// ProjectFields is what an owner says about a project.
type ProjectFields struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	TownID      int64  `json:"town_id"`
	// PartnerTownID is 0 when the project names no partner town.
	PartnerTownID int64 `json:"partner_town_id,omitempty"`
	// Sector is one of Sectors.
	Sector string `json:"sector"`
	// Topics are ids from Topics, at least one.
	Topics []string `json:"topics"`
	// Languages are the team's languages, codes from ProfileLanguages, at
	// least one.
	Languages []string `json:"languages"`
	// ContactRequests says whether the owner welcomes contact requests.
	ContactRequests bool `json:"contact_requests"`
}

// ErrInvalidProject wraps every reason Validate refuses fields.
var ErrInvalidProject = errors.New("invalid project")

// Validate checks the fields against the rules the database also enforces,
// so that a caller learns which field is wrong.
func (f ProjectFields) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidProject, fmt.Sprintf(format, args...))
	}
	switch {
	case f.Title == "" || utf8.RuneCountInString(f.Title) > MaxTitleLen:
		return bad("title must have 1 to %d characters", MaxTitleLen)
	case f.Description == "" || utf8.RuneCountInString(f.Description) > MaxDescriptionLen:
		return bad("description must have 1 to %d characters", MaxDescriptionLen)
	case f.TownID <= 0:
		return bad("no town")
	case f.PartnerTownID == f.TownID:
		return bad("the partner town is the project's own town")
	case !ValidSector(f.Sector):
		return bad("unknown sector %q", f.Sector)
	case len(f.Topics) == 0 || !allValid(f.Topics, ValidTopic):
		return bad("topics %q", f.Topics)
	case len(f.Languages) == 0 || !allValid(f.Languages, ValidProfileLanguage):
		return bad("languages %q", f.Languages)
	}
	return nil
}

func allValid(ids []string, valid func(string) bool) bool {
	for _, id := range ids {
		if !valid(id) {
			return false
		}
	}
	return true
}

// TownRef names a project's town; ID is 0 for no town.
type TownRef struct {
	ID      int64
	Name    string
	Country string
}

// Project is a registered project.
type Project struct {
	ID int64
	// Code is the public identifier used in links and buttons.
	Code    string
	OwnerID int64
	ProjectFields
	Town        TownRef
	PartnerTown TownRef
	Archived    bool
	// Hidden is set by a coordinator after a report: only the owner still
	// sees the project.
	Hidden    bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// TitleLang and DescriptionLang are the languages the texts are
	// written in (package langdetect: de, uk, fr, sv, en, pl), "" when not
	// known: the bot offers a translation to a reader of another language.
	TitleLang       string
	DescriptionLang string
}

// Listed reports whether the project appears in search results.
func (p Project) Listed() bool { return !p.Archived && !p.Hidden }

const projectColumns = `p.id, p.code, p.owner_id, p.title, p.description, p.sector, p.topics, p.languages,
	p.contact_requests, p.archived_at IS NOT NULL, p.hidden_at IS NOT NULL, p.created_at, p.updated_at,
	t.id, t.name, t.country, coalesce(pt.id, 0), coalesce(pt.name, ''), coalesce(pt.country, ''),
	coalesce(p.title_lang, ''), coalesce(p.description_lang, '')`

const projectFrom = ` FROM projects p JOIN towns t ON t.id = p.town_id LEFT JOIN towns pt ON pt.id = p.partner_town_id `

func scanProject(row pgx.Row, extra ...any) (Project, error) {
	var p Project
	dest := []any{&p.ID, &p.Code, &p.OwnerID, &p.Title, &p.Description, &p.Sector, &p.Topics, &p.Languages,
		&p.ContactRequests, &p.Archived, &p.Hidden, &p.CreatedAt, &p.UpdatedAt,
		&p.Town.ID, &p.Town.Name, &p.Town.Country, &p.PartnerTown.ID, &p.PartnerTown.Name, &p.PartnerTown.Country,
		&p.TitleLang, &p.DescriptionLang}
	err := row.Scan(append(dest, extra...)...)
	p.TownID, p.PartnerTownID = p.Town.ID, p.PartnerTown.ID
	return p, notFound(err)
}

func collectProjects(rows pgx.Rows, err error) ([]Project, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Project, error) { return scanProject(r) })
}

// codeAlphabet is lower-case base32: codes survive being typed, read aloud
// and case-folded by clients.
const codeAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// codeLen characters of codeAlphabet carry 50 random bits: codes cannot be
// guessed or counted through.
const codeLen = 10

func newProjectCode() string {
	b := make([]byte, codeLen)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	for i := range b {
		b[i] = codeAlphabet[b[i]&31]
	}
	return string(b)
}

// ValidProjectCode reports whether s has the form of a project code, so
// that input from links and buttons is checked before it reaches a query.
func ValidProjectCode(s string) bool {
	if len(s) != codeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'a' && s[i] <= 'z' || s[i] >= '2' && s[i] <= '7') {
			return false
		}
	}
	return true
}

// searchVector is the SQL that builds a project's search vector from its
// title ($a) and description ($b) documents (see searchDocument) and its
// glossary tokens ($c, a tsvector literal, see conceptVector).
func searchVector(a, b, c string) string {
	return `setweight(to_tsvector('simple', ` + a + `), 'A') || setweight(to_tsvector('simple', ` + b + `), 'B') || ` +
		c + `::tsvector`
}

// CreateProject registers a project of ownerID, whatever they have
// already: for imports and tests. What a person registers goes through
// CreateProjectWithinLimitsTx.
func (s *Store) CreateProject(ctx context.Context, ownerID int64, f ProjectFields) (Project, error) {
	if err := f.Validate(); err != nil {
		return Project{}, err
	}
	var p Project
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		p, err = createProject(ctx, tx, ownerID, f)
		return err
	})
	return p, err
}

// CreateProjectWithinLimitsTx registers a project of ownerID at now in the
// caller's transaction (what the caller schedules about it commits with
// it), unless they have MaxActiveProjects projects that are not archived
// (ErrProjectLimit) or registered ProjectsPerDay in the last 24 hours
// (ErrProjectRate; deleting projects or one's data does not reset that).
func (s *Store) CreateProjectWithinLimitsTx(ctx context.Context, tx pgx.Tx, ownerID int64, f ProjectFields, now time.Time) (Project, error) {
	if err := f.Validate(); err != nil {
		return Project{}, err
	}
	if err := lockPerson(ctx, tx, ownerID); err != nil {
		return Project{}, err
	}
	key, err := checkProjectLimits(ctx, tx, ownerID, now)
	if err != nil {
		return Project{}, err
	}
	p, err := createProject(ctx, tx, ownerID, f)
	if err != nil {
		return Project{}, err
	}
	return p, addMark(ctx, tx, key, limitProject, 0, now.Add(limitWindow))
}

// CheckProjectLimits tells whether ownerID may register a project at now:
// ErrProjectLimit or ErrProjectRate as for CreateProjectWithinLimitsTx,
// which checks the same again.
func (s *Store) CheckProjectLimits(ctx context.Context, ownerID int64, now time.Time) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		_, err := checkProjectLimits(ctx, tx, ownerID, now)
		return err
	})
}

// checkProjectLimits returns the owner's key of limit_marks if they may
// register a project at now.
func checkProjectLimits(ctx context.Context, tx pgx.Tx, ownerID int64, now time.Time) ([]byte, error) {
	if err := activeProjectsBelowCap(ctx, tx, ownerID); err != nil {
		return nil, err
	}
	key, err := personKey(ctx, tx, ownerID)
	if err != nil {
		return nil, err
	}
	if n, err := countMarks(ctx, tx, key, limitProject, now); err != nil {
		return nil, err
	} else if n >= ProjectsPerDay {
		return nil, ErrProjectRate
	}
	return key, nil
}

// activeProjectsBelowCap is ErrProjectLimit when ownerID has
// MaxActiveProjects projects that are not archived.
func activeProjectsBelowCap(ctx context.Context, tx pgx.Tx, ownerID int64) error {
	var active int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM projects WHERE owner_id = $1 AND archived_at IS NULL`,
		ownerID).Scan(&active); err != nil {
		return err
	}
	if active >= MaxActiveProjects {
		return ErrProjectLimit
	}
	return nil
}

// createProject inserts a project of ownerID with valid fields f, in tx.
func createProject(ctx context.Context, tx pgx.Tx, ownerID int64, f ProjectFields) (Project, error) {
	var id int64
	pt := analyseProject(f.Title, f.Description, f.Sector, f.Topics)
	// A code collision is astronomically rare; ON CONFLICT turns it into
	// another try instead of an error.
	for id == 0 {
		err := tx.QueryRow(ctx, `
			INSERT INTO projects (code, owner_id, title, description, town_id, partner_town_id, sector, topics,
				languages, contact_requests, search, title_lang, description_lang)
			VALUES ($1, $2, $3, $4, $5, nullif($6, 0::bigint), $7, $8, $9, $10, `+searchVector("$11", "$12", "$13")+`,
				$14, $15)
			ON CONFLICT (code) DO NOTHING
			RETURNING id`,
			newProjectCode(), ownerID, f.Title, f.Description, f.TownID, f.PartnerTownID, f.Sector, f.Topics,
			f.Languages, f.ContactRequests, pt.docA, pt.docB, pt.tokens, nullLang(pt.titleLang),
			nullLang(pt.descriptionLang)).Scan(&id)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return Project{}, err
		}
	}
	return scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id))
}

// UpdateProject replaces the fields of the project with code, if ownerID
// owns it; otherwise it returns ErrNotFound and changes nothing.
func (s *Store) UpdateProject(ctx context.Context, ownerID int64, code string, f ProjectFields) (Project, error) {
	if err := f.Validate(); err != nil {
		return Project{}, err
	}
	var p Project
	pt := analyseProject(f.Title, f.Description, f.Sector, f.Topics)
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		var oldTitle, oldDescription string
		err := tx.QueryRow(ctx, `
			WITH old AS (SELECT id, title, description FROM projects WHERE code = $1 AND owner_id = $2 FOR UPDATE)
			UPDATE projects p SET title = $3, description = $4, town_id = $5, partner_town_id = nullif($6, 0::bigint),
				sector = $7, topics = $8, languages = $9, contact_requests = $10,
				search = `+searchVector("$11", "$12", "$13")+`, title_lang = $14, description_lang = $15,
				updated_at = now()
			FROM old WHERE p.id = old.id
			RETURNING p.id, old.title, old.description`,
			code, ownerID, f.Title, f.Description, f.TownID, f.PartnerTownID, f.Sector, f.Topics, f.Languages,
			f.ContactRequests, pt.docA, pt.docB, pt.tokens, nullLang(pt.titleLang), nullLang(pt.descriptionLang)).
			Scan(&id, &oldTitle, &oldDescription)
		if err != nil {
			return notFound(err)
		}
		// Translations of a text that is gone go with it.
		if err := deleteTranslationsOf(ctx, tx, changed(oldTitle, f.Title), changed(oldDescription, f.Description)); err != nil {
			return err
		}
		p, err = scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id))
		return err
	})
	return p, err
}

// ProjectByCode returns the project with code, whatever its state: callers
// decide who may see an archived or hidden one.
func (s *Store) ProjectByCode(ctx context.Context, code string) (Project, error) {
	return scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.code = $1`, code))
}

// OwnedProject returns the project with code if ownerID owns it, and
// ErrNotFound otherwise: the one check in front of every owner's action.
func (s *Store) OwnedProject(ctx context.Context, ownerID int64, code string) (Project, error) {
	return scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.code = $1 AND p.owner_id = $2`,
		code, ownerID))
}

// ProjectsByOwner lists ownerID's projects, oldest first.
func (s *Store) ProjectsByOwner(ctx context.Context, ownerID int64) ([]Project, error) {
	return collectProjects(s.pool.Query(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.owner_id = $1
		ORDER BY p.created_at, p.id`, ownerID))
}

// OwnedProjects is one page of a person's projects and how many they have.
type OwnedProjects struct {
	Projects []Project
	Total    int
}

// ProjectsByOwnerPage lists up to limit of ownerID's projects from offset
// on, oldest first, with how many there are in all.
func (s *Store) ProjectsByOwnerPage(ctx context.Context, ownerID int64, offset, limit int) (OwnedProjects, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+projectColumns+`, count(*) OVER ()`+projectFrom+`WHERE p.owner_id = $1
		ORDER BY p.created_at, p.id OFFSET $2 LIMIT $3`, ownerID, offset, limit)
	if err != nil {
		return OwnedProjects{}, err
	}
	var page OwnedProjects
	page.Projects, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Project, error) { return scanProject(r, &page.Total) })
	if err == nil && len(page.Projects) == 0 && offset > 0 {
		// Past the end the window function has no row to count on.
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM projects WHERE owner_id = $1`, ownerID).Scan(&page.Total)
	}
	return page, err
}

// SetProjectArchived archives or unarchives ownerID's project with code.
// ErrNotFound when ownerID does not own it; ErrProjectLimit when listing
// an archived project again would give them more than MaxActiveProjects.
func (s *Store) SetProjectArchived(ctx context.Context, ownerID int64, code string, archived bool) (Project, error) {
	var p Project
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if !archived {
			var wasArchived bool
			err := tx.QueryRow(ctx, `SELECT archived_at IS NOT NULL FROM projects WHERE code = $1 AND owner_id = $2`,
				code, ownerID).Scan(&wasArchived)
			if err != nil {
				return notFound(err)
			}
			if wasArchived {
				if err := lockPerson(ctx, tx, ownerID); err != nil {
					return err
				}
				if err := activeProjectsBelowCap(ctx, tx, ownerID); err != nil {
					return err
				}
			}
		}
		tag, err := tx.Exec(ctx, `
			UPDATE projects SET archived_at = CASE WHEN $3 THEN coalesce(archived_at, now()) END, updated_at = now()
			WHERE code = $1 AND owner_id = $2`, code, ownerID, archived)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		p, err = scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.code = $1`, code))
		return err
	})
	return p, err
}

// DeleteProject deletes ownerID's project with code together with its
// followers, contact requests and reports. ErrNotFound when ownerID does
// not own it.
func (s *Store) DeleteProject(ctx context.Context, ownerID int64, code string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var title, description string
		err := tx.QueryRow(ctx, `DELETE FROM projects WHERE code = $1 AND owner_id = $2 RETURNING title, description`,
			code, ownerID).Scan(&title, &description)
		if err != nil {
			return notFound(err)
		}
		// Translations of its texts go with them.
		return deleteTranslationsOf(ctx, tx, title, description)
	})
}

// SetFollowing makes userID follow or stop following a project.
func (s *Store) SetFollowing(ctx context.Context, userID, projectID int64, follow bool) error {
	q := `DELETE FROM project_followers WHERE project_id = $1 AND user_id = $2`
	if follow {
		q = `INSERT INTO project_followers (project_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	}
	_, err := s.pool.Exec(ctx, q, projectID, userID)
	return err
}

// Following reports whether userID follows the project.
func (s *Store) Following(ctx context.Context, userID, projectID int64) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM project_followers WHERE project_id = $1 AND user_id = $2)`,
		projectID, userID).Scan(&ok)
	return ok, err
}

// ProjectFollowers returns the ids of the people following the project,
// the audience of its announcements and events, in the order they
// followed it.
func (s *Store) ProjectFollowers(ctx context.Context, projectID int64) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT user_id FROM project_followers WHERE project_id = $1 ORDER BY created_at, user_id`,
		projectID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// CollectUnusedWords deletes the words of deleted or edited project texts
// (noted in project_words_unused by a trigger, migration 00047) that no
// listing refers to, and returns how many. It holds a share lock on
// projects meanwhile: writes to projects wait for it, and it for the ones
// under way, so none can take an id of a word it deletes. A word of an
// archived or hidden project stays in the project's search vector and is
// added again when the project is listed again. It gives up after
// waiting two seconds for the lock (a long write, or a vacuum of projects
// that does not yield), rather than hold up the writes queued behind it;
// the words stay noted for the next call.
func (s *Store) CollectUnusedWords(ctx context.Context) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '2s'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE projects IN SHARE MODE`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			WITH noted AS (DELETE FROM project_words_unused RETURNING word_id)
			DELETE FROM project_words w USING noted
			WHERE w.id = noted.word_id AND NOT EXISTS (SELECT FROM project_listings l WHERE l.words @> ARRAY[w.id])`)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
