package storage_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/storage"
)

// BenchmarkSearchProjectsServer runs the queries of BenchmarkSearchProjects
// (same kinds, same draws) and times each search statement on the server:
// it is prepared and run again, with the search's settings, under EXPLAIN
// (ANALYZE, TIMING OFF) EXECUTE, best of three, and planning plus
// execution time is reported (server-p50-ms, server-p95-ms,
// server-mean-ms, of which plan-mean-ms planning; literal-… without a
// reader's language). Server
// time leaves out the client and the scheduling of a busy machine, so
// two versions of the search can be compared on the same kept data while
// other work runs. With SEARCH_EXPLAIN_OUT set, each query's times are
// appended to that file (kind, mode, query number, planning and execution
// ms), to pair the queries of two versions.
//
//	go test ./storage/ -run '^$' -bench SearchProjectsServer -benchtime 200x
func BenchmarkSearchProjectsServer(b *testing.B) {
	ctx := context.Background()
	trace := &searchTrace{}
	pool, data := keptPool(b, trace)
	s := storage.New(pool)
	storage.NoResultCache(s)
	// The statements are timed on a connection of their own, prepared
	// there as the search prepares them on its own.
	explainConn, err := pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(explainConn.Release)
	var out *os.File
	if name := os.Getenv("SEARCH_EXPLAIN_OUT"); name != "" {
		if out, err = os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { out.Close() })
	}
	warmSearch(b, s, data)
	r := rand.New(rand.NewPCG(3, 4))
	for _, kind := range searchKinds(r, data) {
		b.Run(kind.name, func(b *testing.B) {
			var cross, literal, plans []time.Duration
			i := 0
			for b.Loop() {
				query := kind.next()
				reader := query
				reader.ReaderLanguage = storage.ProfileLanguages[r.IntN(len(storage.ProfileLanguages))]
				for _, m := range []struct {
					mode  string
					q     storage.ProjectQuery
					times *[]time.Duration
				}{{"cross", reader, &cross}, {"literal", query, &literal}} {
					trace.settings, trace.search = "", ""
					if _, err := s.SearchProjects(ctx, m.q, 0, 5); err != nil {
						b.Fatal(err)
					}
					plan, exec := explainSearch(b, explainConn.Conn(), trace)
					*m.times = append(*m.times, plan+exec)
					if m.mode == "cross" {
						plans = append(plans, plan)
					}
					if out != nil {
						fmt.Fprintf(out, "%s\t%s\t%d\t%.3f\t%.3f\n", kind.name, m.mode, i,
							plan.Seconds()*1000, exec.Seconds()*1000)
					}
				}
				i++
			}
			for _, m := range []struct {
				prefix string
				times  []time.Duration
			}{{"", cross}, {"literal-", literal}} {
				slices.Sort(m.times)
				b.ReportMetric(percentile(m.times, 0.50), m.prefix+"server-p50-ms")
				b.ReportMetric(percentile(m.times, 0.95), m.prefix+"server-p95-ms")
				b.ReportMetric(mean(m.times), m.prefix+"server-mean-ms")
			}
			b.ReportMetric(mean(plans), "plan-mean-ms")
		})
	}
}

// searchTrace keeps the statements of the last search batch: its
// settings and the search itself (a statement WITH its candidates).
type searchTrace struct {
	settings, search   string
	settingsArgs, args []any
}

func (t *searchTrace) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (t *searchTrace) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *searchTrace) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (t *searchTrace) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	switch sql := strings.TrimSpace(d.SQL); {
	case strings.HasPrefix(sql, "SELECT set_config"):
		t.settings, t.settingsArgs = sql, d.Args
	case strings.HasPrefix(sql, "WITH"):
		t.search, t.args = sql, d.Args
	}
}

func (t *searchTrace) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// explainSearch prepares the search statement in t on conn (once per
// statement), as pgx does for the search itself, and runs it three times
// under EXPLAIN (ANALYZE, TIMING OFF), with the search's settings; it
// returns the planning and execution time of the fastest run (zero for a
// search that sent no statement: a word that matches nothing). Run as a
// prepared statement, a search whose plan is generic is timed without
// planning, as it runs.
func explainSearch(b *testing.B, conn *pgx.Conn, t *searchTrace) (plan, exec time.Duration) {
	if t.search == "" {
		return 0, 0
	}
	ctx := context.Background()
	sum := sha256.Sum256([]byte(t.search))
	name := "bench_search_" + hex.EncodeToString(sum[:8])
	if _, err := conn.Prepare(ctx, name, t.search); err != nil {
		b.Fatal(err)
	}
	// EXECUTE takes no parameters of the protocol: its arguments are
	// written out.
	params := make([]string, len(t.args))
	for i, a := range t.args {
		params[i] = sqlLiteral(b, a)
	}
	explain := "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE " + name + "(" + strings.Join(params, ", ") + ")"
	best := time.Duration(-1)
	for range 3 {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, t.settings, t.settingsArgs...); err != nil {
				return err
			}
			var raw []byte
			if err := tx.QueryRow(ctx, explain).Scan(&raw); err != nil {
				return err
			}
			var res []struct {
				Planning  float64 `json:"Planning Time"`
				Execution float64 `json:"Execution Time"`
			}
			if err := json.Unmarshal(raw, &res); err != nil {
				return err
			}
			p := time.Duration(res[0].Planning * float64(time.Millisecond))
			e := time.Duration(res[0].Execution * float64(time.Millisecond))
			if best < 0 || p+e < best {
				best, plan, exec = p+e, p, e
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return plan, exec
}

// sqlLiteral writes a search argument as an SQL literal.
func sqlLiteral(b *testing.B, a any) string {
	var elems []string
	switch v := a.(type) {
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case int:
		return strconv.Itoa(v)
	case time.Time:
		return "'" + v.Format(time.RFC3339Nano) + "'::timestamptz"
	case []int32:
		for _, x := range v {
			elems = append(elems, strconv.Itoa(int(x)))
		}
	case []int64:
		for _, x := range v {
			elems = append(elems, strconv.FormatInt(x, 10))
		}
	default:
		b.Fatalf("search argument of type %T", a)
	}
	return "'{" + strings.Join(elems, ",") + "}'"
}

// mean returns the mean of d in milliseconds.
func mean(d []time.Duration) float64 {
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	if len(d) == 0 {
		return 0
	}
	return sum.Seconds() * 1000 / float64(len(d))
}
