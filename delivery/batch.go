package delivery

import (
	"context"
	"fmt"
)

// batcher turns many concurrent single requests into few database round
// trips: callers queue, one loop takes whatever is queued (up to max) and
// answers all of it with one call of run. At low load a request goes out
// alone and at once; under load, requests that arrive while a call is in
// flight ride on the next one.
type batcher[Q, A any] struct {
	run   func(ctx context.Context, qs []Q) ([]A, error)
	max   int
	queue chan batchCall[Q, A]
}

type batchCall[Q, A any] struct {
	q     Q
	reply chan batchResult[A]
}

type batchResult[A any] struct {
	a   A
	err error
}

func newBatcher[Q, A any](max int, run func(ctx context.Context, qs []Q) ([]A, error)) *batcher[Q, A] {
	return &batcher[Q, A]{run: run, max: max, queue: make(chan batchCall[Q, A], max)}
}

// do queues q and waits for its answer. A caller that gives up (ctx done)
// still has its request answered to nobody; requests are harmless to
// answer in vain.
func (b *batcher[Q, A]) do(ctx context.Context, q Q) (A, error) {
	var zero A
	c := batchCall[Q, A]{q: q, reply: make(chan batchResult[A], 1)}
	select {
	case b.queue <- c:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	select {
	case r := <-c.reply:
		return r.a, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// loop serves requests until ctx ends.
func (b *batcher[Q, A]) loop(ctx context.Context) {
	calls := make([]batchCall[Q, A], 0, b.max)
	qs := make([]Q, 0, b.max)
	for {
		calls, qs = calls[:0], qs[:0]
		select {
		case c := <-b.queue:
			calls = append(calls, c)
		case <-ctx.Done():
			return
		}
	drain:
		for len(calls) < b.max {
			select {
			case c := <-b.queue:
				calls = append(calls, c)
			default:
				break drain
			}
		}
		for _, c := range calls {
			qs = append(qs, c.q)
		}
		answers, err := b.run(ctx, qs)
		if err == nil && len(answers) != len(qs) {
			err = fmt.Errorf("batch of %d answered with %d results", len(qs), len(answers))
		}
		for i, c := range calls {
			r := batchResult[A]{err: err}
			if err == nil {
				r.a = answers[i]
			}
			c.reply <- r
		}
	}
}
