// Package metrics collects what one partnerbot instance does in
// Prometheus series, served at /metrics by the intake's HTTP server. Each
// instance has a registry of its own (never the global default one), so
// several instances can run in one process, as tests run them.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"partnerbot/bot/intake"
	"partnerbot/delivery"
	"partnerbot/storage"
)

// scrapeTimeout bounds the database queries of one scrape (queue depths).
const scrapeTimeout = 2 * time.Second

// Metrics is one instance's registry and series. It is an intake.Observer
// and its Delivery method is a delivery.Config.Events.
type Metrics struct {
	reg *prometheus.Registry

	received, handled *prometheus.CounterVec
	failed, dropped   *prometheus.CounterVec
	rateLimitDrops    prometheus.Counter
	latency           *prometheus.HistogramVec
	delivery          [EventCount]prometheus.Counter
}

// EventCount is the number of delivery events counted.
const EventCount = int(delivery.EventMigrated) + 1

// New registers the series of one instance; queue depths are read from
// pool at every scrape.
func New(pool *pgxpool.Pool, log *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	m.received = counter("partnerbot_updates_received_total", "Updates stored for the first time, by kind.", "kind")
	m.handled = counter("partnerbot_updates_handled_total", "Updates whose handler ran and that were marked done, by kind.", "kind")
	m.failed = counter("partnerbot_updates_failed_total",
		"Updates whose handling went wrong, by kind and reason (abandoned, timeout, lease_lost, not_closed).", "kind", "reason")
	m.dropped = counter("partnerbot_updates_dropped_total",
		"Updates not handled, by kind and reason (rejected: content not storable or decodable; throttled: over the user's rate limit).",
		"kind", "reason")
	m.rateLimitDrops = prometheus.NewCounter(prometheus.CounterOpts{Name: "partnerbot_rate_limit_drops_total",
		Help: "Updates dropped because their user went over the rate limit."})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "partnerbot_handler_duration_seconds",
		Help:    "How long handlers ran, by kind of update.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"kind"})
	m.reg.MustRegister(m.rateLimitDrops, m.latency)
	for _, k := range intake.Kinds {
		m.received.WithLabelValues(k)
		m.handled.WithLabelValues(k)
		m.latency.WithLabelValues(k)
		for _, r := range []string{"rejected", "throttled"} {
			m.dropped.WithLabelValues(k, r)
		}
		for _, r := range []string{"abandoned", "timeout", "lease_lost", "not_closed"} {
			m.failed.WithLabelValues(k, r)
		}
	}
	for ev, name := range map[delivery.Event][2]string{
		delivery.EventSent:      {"partnerbot_delivery_sent_total", "Messages the delivery engine sent (Telegram accepted them)."},
		delivery.EventFlood:     {"partnerbot_delivery_rate_limited_total", "Send attempts answered 429 Too Many Requests."},
		delivery.EventForbidden: {"partnerbot_delivery_forbidden_total", "Send attempts answered 403 Forbidden (bot blocked or kicked)."},
		delivery.EventGone:      {"partnerbot_delivery_gone_total", "Send attempts to a chat gone in another way (not found)."},
		delivery.EventRetry:     {"partnerbot_delivery_retries_total", "Send attempts that failed transiently and are tried again."},
		delivery.EventMigrated: {"partnerbot_delivery_migrated_total",
			"Send attempts to a group upgraded to a supergroup; the message goes to the supergroup instead."},
	} {
		m.delivery[ev] = prometheus.NewCounter(prometheus.CounterOpts{Name: name[0], Help: name[1]})
		m.reg.MustRegister(m.delivery[ev])
	}
	m.reg.MustRegister(&queues{pool: pool, log: log,
		inbound: prometheus.NewDesc("partnerbot_inbound_updates_pending",
			"Updates stored but not yet done (all instances; read from the database at scrape time).", nil, nil),
		jobs: prometheus.NewDesc("partnerbot_delivery_jobs_available",
			"Delivery jobs available to be worked now (all instances; read from the database at scrape time).", nil, nil),
		errs: prometheus.NewCounter(prometheus.CounterOpts{Name: "partnerbot_metrics_queue_scrape_errors_total",
			Help: "Scrapes whose queue depths could not be read from the database."}),
	})
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the instance's registry.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Received implements intake.Observer.
func (m *Metrics) Received(kind string) { m.received.WithLabelValues(kind).Inc() }

// Closed implements intake.Observer.
func (m *Metrics) Closed(kind string, outcome storage.Outcome, took time.Duration) {
	switch outcome {
	case storage.OutcomeHandled:
		m.handled.WithLabelValues(kind).Inc()
		m.latency.WithLabelValues(kind).Observe(took.Seconds())
	case storage.OutcomeThrottled:
		m.dropped.WithLabelValues(kind, "throttled").Inc()
		m.rateLimitDrops.Inc()
	case storage.OutcomeRejected:
		m.dropped.WithLabelValues(kind, "rejected").Inc()
	case storage.OutcomeAbandoned:
		m.failed.WithLabelValues(kind, "abandoned").Inc()
	}
}

// Failed implements intake.Observer.
func (m *Metrics) Failed(kind, reason string) { m.failed.WithLabelValues(kind, reason).Inc() }

// Delivery counts a delivery event; it is delivery.Config.Events.
func (m *Metrics) Delivery(ev delivery.Event) {
	if int(ev) >= 0 && int(ev) < len(m.delivery) {
		m.delivery[ev].Inc()
	}
}

// queues reads queue depths from the database when scraped.
type queues struct {
	pool          *pgxpool.Pool
	log           *slog.Logger
	inbound, jobs *prometheus.Desc
	errs          prometheus.Counter
}

func (q *queues) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.inbound
	ch <- q.jobs
	q.errs.Describe(ch)
}

func (q *queues) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	var inbound, jobs int64
	err := q.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM inbound_updates WHERE done_at IS NULL),
		(SELECT count(*) FROM river_job WHERE state = 'available' AND queue = $1)`, delivery.Queue).Scan(&inbound, &jobs)
	if err != nil {
		q.log.Warn("metrics: read queue depths", "err", err)
		q.errs.Inc()
	} else {
		ch <- prometheus.MustNewConstMetric(q.inbound, prometheus.GaugeValue, float64(inbound))
		ch <- prometheus.MustNewConstMetric(q.jobs, prometheus.GaugeValue, float64(jobs))
	}
	q.errs.Collect(ch)
}
