package loadtest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The rates of a load run follow whatever else the machine is doing (on
// a shared machine they varied threefold between runs of the same code);
// the CPU time each update costs does not, so the run also reports it: of
// this process (bot, fake Bot API, load generator) and of the PostgreSQL
// backends serving the run's database. On a machine whose cores the run
// has to itself, a CPU-bound rate is the cores over this cost.

// cpuMeter reads the CPU time used so far by this process and by the
// PostgreSQL backends connected to the pool's database.
type cpuMeter struct {
	pool *pgxpool.Pool
}

// cpuReading is what a cpuMeter read at one moment.
type cpuReading struct {
	proc time.Duration
	// backends holds each backend's CPU time by pid, so that a backend
	// that connects meanwhile counts from zero.
	backends map[int]time.Duration
}

// cpuCost is the CPU time used between two readings.
type cpuCost struct {
	proc, pg time.Duration
}

// read reads the meter. The PostgreSQL server must run on this machine
// (its backends' /proc entries are read), as it does for every run here;
// a backend whose entry cannot be read counts as nothing.
func (m cpuMeter) read(b *testing.B) cpuReading {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	r := cpuReading{proc: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), backends: map[int]time.Duration{}}
	if m.pool == nil {
		return r
	}
	rows, err := m.pool.Query(context.Background(),
		`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		if t, err := procCPU(pid); err == nil {
			r.backends[pid] = t
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return r
}

// since is the CPU time used from prev to r.
func (r cpuReading) since(prev cpuReading) cpuCost {
	c := cpuCost{proc: r.proc - prev.proc}
	for pid, t := range r.backends {
		c.pg += t - prev.backends[pid]
	}
	return c
}

// per is the cost divided among n updates.
func (c cpuCost) per(n int) cpuCost {
	return cpuCost{proc: c.proc / time.Duration(n), pg: c.pg / time.Duration(n)}
}

func (c cpuCost) total() time.Duration { return c.proc + c.pg }

func (c cpuCost) String() string {
	return fmt.Sprintf("%d µs (process %d µs, PostgreSQL %d µs)",
		c.total().Microseconds(), c.proc.Microseconds(), c.pg.Microseconds())
}

// procCPU is the CPU time process pid has run, to the nanosecond from
// /proc/<pid>/schedstat where the kernel keeps it, else from the user and
// system time in /proc/<pid>/stat, which counts in ticks of 10 ms: a dozen
// backends, each read to the tick, could be off by 60 µs an update in
// a run of 2,000.
func procCPU(pid int) (time.Duration, error) {
	if sched, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/schedstat"); err == nil {
		if f := strings.Fields(string(sched)); len(f) > 0 {
			if ns, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				return time.Duration(ns), nil
			}
		}
	}
	return statCPU(pid)
}

// clockTick is the unit of utime and stime in /proc/<pid>/stat
// (USER_HZ, 100 on Linux for every architecture Go runs on).
const clockTick = 10 * time.Millisecond

// statCPU is the user and system CPU time of process pid, in ticks.
func statCPU(pid int) (time.Duration, error) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields
	// from after it. utime and stime are fields 14 and 15 of the line,
	// the 12th and 13th after the name.
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}
