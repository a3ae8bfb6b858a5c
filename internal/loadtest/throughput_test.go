package loadtest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/internal/faketelegram"
	"partnerbot/internal/instance"
	"partnerbot/internal/projectgen"
	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// Sizes of the runs.
const (
	// throughputUpdates are pushed per throughput run, from
	// throughputUsers people (each stays well within the default rate
	// limit of 20 in 10 s).
	throughputUpdates = 2000
	throughputUsers   = 500
	// helpRounds is how often the bare program and /help take turns.
	helpRounds = 3
	// floodMessages come from one person at once while floodOthers people
	// send floodEach messages each, floodGap apart.
	floodMessages = 1000
	floodOthers   = 20
	floodEach     = 10
	floodGap      = 100 * time.Millisecond
)

// BenchmarkThroughput pushes updates end to end through the fake Bot API
// (getUpdates, stored, handled, answered with sendMessage) and reports
// updates per second: for a bare go-telegram/bot program whose handler
// only replies (with the library's default single worker and with 8, as
// many as the bot's intake workers), for partnerbot answering /help (the
// 8-worker program and /help take turns three times; medians reported),
// and for partnerbot answering "/find water Ichnia" over 100,000
// generated projects (the same search from everyone) and /find with a
// different word and town each time; then, while one person floods 1,000
// messages, the latency of other people's replies. It runs the scenario
// once, whatever b.N is:
//
//	go test -run '^$' -bench BenchmarkThroughput -benchtime 1x -timeout 30m ./internal/loadtest/
func BenchmarkThroughput(b *testing.B) {
	// LOADTEST_NO_FIND=1 skips the generated data and the /find run (a
	// quick look at /help and the flood).
	noFind := os.Getenv("LOADTEST_NO_FIND") == "1"
	start := time.Now()
	var dbURL string
	if noFind {
		dbURL = testdb.URL(b)
	} else {
		dbURL = dataURL(b)
	}
	b.Logf("data ready in %s", time.Since(start).Round(time.Second))
	pool, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)

	bare1, _ := bare(b, 1)
	b.Logf("bare go-telegram/bot, 1 worker: %.0f/s", bare1)

	tg := faketelegram.New()
	defer tg.Close()
	stop := runBot(b, tg, pool)
	defer stop()

	// A rate follows what else the machine does from one second to the
	// next: the bare program (8 workers, as many as the bot's intake) and
	// partnerbot's /help take turns, and the medians are reported, the
	// ratio as the median of the ratios of runs side by side. Each round
	// has people of its own, so that a quarter of its updates are first
	// contacts in every round.
	var bare8s, helps, rateRatios, cpuRatios []float64
	var bare8CPUs, helpCPUs []cpuCost
	m := cpuMeter{pool: pool}
	for r := range helpRounds {
		b8, b8CPU := bare(b, 8)
		h, hCPU := push(b, tg, m, 1_000_000+int64(r)*throughputUsers, func(int) string { return "/help" })
		b.Logf("round %d: bare (8 workers) %.0f/s, CPU per update %s; partnerbot /help %.0f/s, CPU per update %s: "+
			"%.2f of bare's rate, bare's CPU per update %.2f of partnerbot's", r+1, b8, b8CPU, h, hCPU, h/b8, cpuRatio(b8CPU, hCPU))
		bare8s, helps = append(bare8s, b8), append(helps, h)
		rateRatios, cpuRatios = append(rateRatios, h/b8), append(cpuRatios, cpuRatio(b8CPU, hCPU))
		bare8CPUs, helpCPUs = append(bare8CPUs, b8CPU), append(helpCPUs, hCPU)
	}
	bare8, help, bare8CPU, helpCPU := median(bare8s), median(helps), medianCost(bare8CPUs), medianCost(helpCPUs)
	b.Logf("medians of %d rounds: bare %.0f/s, /help %.0f/s, /help %.2f of bare's rate (%.2f of bare with 1 worker); "+
		"CPU per update: bare %s, /help %s, bare's %.2f of partnerbot's",
		helpRounds, bare8, help, median(rateRatios), help/bare1, bare8CPU, helpCPU, median(cpuRatios))
	find, findCPU := 0.0, cpuCost{}
	varied, variedCPU := 0.0, cpuCost{}
	if !noFind {
		find, findCPU = push(b, tg, m, 2_000_000, func(int) string { return "/find water Ichnia" })
		b.Logf("partnerbot: /find water Ichnia %.0f/s; CPU per update %s", find, findCPU)
		// The same search from everyone is answered from the results an
		// instance keeps; searches that all differ are each made.
		towns := townNames(b, pool, throughputUpdates)
		varied, variedCPU = push(b, tg, m, 4_000_000, func(i int) string {
			return "/find " + projectgen.TopicWords[i%len(projectgen.TopicWords)] + " " + towns[i]
		})
		b.Logf("partnerbot: /find <word> <town>, all different, %.0f/s; CPU per update %s", varied, variedCPU)
	}
	p50, p95, max := flood(b, tg)
	b.Logf("flood of %d messages from one person: others' replies p50 %s, p95 %s, max %s", floodMessages, p50, p95, max)

	b.ReportMetric(bare1, "bare1-upd/s")
	b.ReportMetric(bare8, "bare8-upd/s")
	b.ReportMetric(help, "help-upd/s")
	b.ReportMetric(median(rateRatios), "help/bare8")
	b.ReportMetric(find, "find-upd/s")
	b.ReportMetric(float64(bare8CPU.total().Microseconds()), "bare8-cpu-µs/upd")
	b.ReportMetric(float64(helpCPU.total().Microseconds()), "help-cpu-µs/upd")
	b.ReportMetric(float64(helpCPU.pg.Microseconds()), "help-pg-cpu-µs/upd")
	b.ReportMetric(median(cpuRatios), "bare8-cpu/help-cpu")
	b.ReportMetric(float64(findCPU.total().Microseconds()), "find-cpu-µs/upd")
	b.ReportMetric(float64(findCPU.pg.Microseconds()), "find-pg-cpu-µs/upd")
	b.ReportMetric(varied, "find-varied-upd/s")
	b.ReportMetric(float64(variedCPU.total().Microseconds()), "find-varied-cpu-µs/upd")
	b.ReportMetric(float64(p95.Microseconds())/1000, "flood-others-p95-ms")
	b.ReportMetric(0, "ns/op")
}

// townNames returns n different names of towns that have projects, in an
// order that mixes countries.
func townNames(b *testing.B, pool *pgxpool.Pool, n int) []string {
	b.Helper()
	rows, _ := pool.Query(context.Background(), `
		SELECT name FROM (SELECT DISTINCT t.name FROM towns t WHERE EXISTS (SELECT FROM projects p WHERE p.town_id = t.id)) t
		ORDER BY md5(name) LIMIT $1`, n)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		b.Fatal(err)
	}
	if len(names) < n {
		b.Fatalf("%d towns with projects, want %d", len(names), n)
	}
	return names
}

// median is the middle of xs (the mean of the two middle ones for an
// even count); xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// medianCost is the median of each part of cs (process, PostgreSQL),
// taken apart.
func medianCost(cs []cpuCost) cpuCost {
	procs, pgs := make([]float64, len(cs)), make([]float64, len(cs))
	for i, c := range cs {
		procs[i], pgs[i] = float64(c.proc), float64(c.pg)
	}
	return cpuCost{proc: time.Duration(median(procs)), pg: time.Duration(median(pgs))}
}

// replies counts the successful sendMessage calls the fake server got.
func replies(tg *faketelegram.Server) int {
	n := 0
	tg.WaitUntil(time.Second, func(sn *faketelegram.Snapshot) bool { n = sn.CountCalls("sendMessage", ok); return true })
	return n
}

// ok tells a successful call. The waits count calls without copying them:
// a condition is checked at every call the server records, under its
// lock, and copying thousands of calls each time would slow the server
// down, and with it what is measured.
func ok(c faketelegram.Call) bool { return c.Status == 200 }

// waitReplies waits until the fake server has seen n successful
// sendMessage calls.
func waitReplies(b *testing.B, tg *faketelegram.Server, n int, timeout time.Duration) {
	b.Helper()
	err := tg.WaitUntil(timeout, func(sn *faketelegram.Snapshot) bool { return sn.CountCalls("sendMessage", ok) >= n })
	if err != nil {
		b.Fatalf("replies: %v", err)
	}
}

// push sends throughputUpdates messages from throughputUsers people (ids
// from firstUser) at once and returns the updates answered per second,
// from the first message to the last reply, and the CPU time m counted
// per update meanwhile.
func push(b *testing.B, tg *faketelegram.Server, m cpuMeter, firstUser int64, text func(int) string) (float64, cpuCost) {
	b.Helper()
	base := replies(tg)
	before := m.read(b)
	start := time.Now()
	for i := range throughputUpdates {
		u := faketelegram.NewUser(firstUser+int64(i%throughputUsers), "User")
		tg.SendMessage(u, text(i))
	}
	waitReplies(b, tg, base+throughputUpdates, 5*time.Minute)
	took := time.Since(start)
	cost := m.read(b).since(before).per(throughputUpdates)
	if extra := replies(tg) - base - throughputUpdates; extra != 0 {
		b.Logf("note: %d replies more than updates", extra)
	}
	return float64(throughputUpdates) / took.Seconds(), cost
}

// cpuRatio is the bare program's CPU time per update over the bot's: the
// share of the bare program's rate the bot would reach where both are
// bound by the CPU alone.
func cpuRatio(bare, bot cpuCost) float64 {
	if bot.total() == 0 {
		return 0
	}
	return float64(bare.total()) / float64(bot.total())
}

// bare runs a go-telegram/bot program whose handler only replies, with
// workers, on a fake server of its own, and returns its updates per
// second and the CPU time of this process per update.
func bare(b *testing.B, workers int) (float64, cpuCost) {
	tg := faketelegram.New()
	defer tg.Close()
	ctx, cancel := context.WithCancel(context.Background())
	api, err := tgbot.New(tg.Token(), tgbot.WithServerURL(tg.URL()), tgbot.WithSkipGetMe(), tgbot.WithWorkers(workers),
		tgbot.WithDefaultHandler(func(ctx context.Context, api *tgbot.Bot, u *models.Update) {
			if u.Message == nil {
				return
			}
			if _, err := api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "ok"}); err != nil && ctx.Err() == nil {
				b.Error(err)
			}
		}))
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); api.Start(ctx) }()
	defer func() { cancel(); <-done }()
	// The fake server records a call when it answers it, and the first
	// long poll is answered only when updates come: give the program a
	// moment to start polling.
	time.Sleep(500 * time.Millisecond)
	return push(b, tg, cpuMeter{}, 1, func(int) string { return "/help" })
}

// runBot starts partnerbot, assembled as in production, on tg and pool,
// and waits until it polls.
func runBot(b *testing.B, tg *faketelegram.Server, pool *pgxpool.Pool) (stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var out io.Writer = os.Stderr
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelError}))
	inst, err := instance.New(storage.New(pool), instance.Config{Token: tg.Token(), APIURL: tg.URL(), Listener: ln,
		Owner: "load-" + strconv.Itoa(os.Getpid()), PollTimeout: time.Second, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- inst.Run(ctx) }()
	if _, err := tg.WaitForCalls(ctx, "getUpdates", 1, 30*time.Second); err != nil {
		b.Fatal(err)
	}
	return func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}

// flood lets one person send floodMessages at once while floodOthers
// people each send floodEach messages floodGap apart, and returns the
// 50th and 95th percentile and the maximum of the others' reply
// latencies (message injected to reply accepted by the fake server).
func flood(b *testing.B, tg *faketelegram.Server) (p50, p95, max time.Duration) {
	b.Helper()
	const firstOther = 3_000_000
	flooder := faketelegram.NewUser(3_999_999, "Flood")
	sentAt := make(map[int64][]time.Time)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range floodMessages {
		tg.SendMessage(flooder, "/help "+strconv.Itoa(i))
	}
	for o := range floodOthers {
		u := faketelegram.NewUser(firstOther+int64(o), "Other")
		wg.Go(func() {
			// Spread the first messages of the others over one gap.
			time.Sleep(floodGap * time.Duration(o) / floodOthers)
			for range floodEach {
				mu.Lock()
				sentAt[u.ID] = append(sentAt[u.ID], time.Now())
				tg.SendMessage(u, "/help")
				mu.Unlock()
				time.Sleep(floodGap)
			}
		})
	}
	wg.Wait()
	var lat []time.Duration
	for o := range floodOthers {
		id := int64(firstOther + o)
		var times []time.Time
		err := tg.WaitUntil(2*time.Minute, func(sn *faketelegram.Snapshot) bool {
			times = times[:0]
			chat := strconv.FormatInt(id, 10)
			sn.CountCalls("sendMessage", func(c faketelegram.Call) bool {
				if ok(c) && c.Params["chat_id"] == chat {
					times = append(times, c.Time)
				}
				return false
			})
			return len(times) >= floodEach
		})
		if err != nil {
			b.Fatalf("user %d: %v", id, err)
		}
		if len(times) != floodEach {
			b.Fatalf("user %d: %d replies to %d messages", id, len(times), floodEach)
		}
		for i, t := range times {
			lat = append(lat, t.Sub(sentAt[id][i]))
		}
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[len(lat)*95/100], lat[len(lat)-1]
}
