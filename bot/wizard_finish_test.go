package bot

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerbot/internal/testdb"
	"partnerbot/locales"
	"partnerbot/storage"
)

// TestWizardFinishRunsOnceWhenTheLastAnswerRaces hands the last answer of
// a dialogue to two handlings at once, both holding the dialogue as it was
// before either ended it: a double tap whose presses two instances handle
// side by side (security review, finding 3). The compare-and-delete that
// ends the dialogue lets exactly one of them run Finish.
func TestWizardFinishRunsOnceWhenTheLastAnswerRaces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storage.New(testdb.New(t))
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := New(Deps{Store: store, Catalog: cat, Log: log})
	user, err := store.TouchUser(ctx, storage.TelegramProfile{ID: 77000, FirstName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		Choice string `json:"choice"`
	}
	var finished atomic.Int32
	w := &Wizard[state]{Name: "race",
		Steps: []Step[state]{{
			Ask: func(*Request, *state) Question { return Question{Text: "?"} },
			Answer: func(_ context.Context, _ *Request, s *state, in Input) (Result, error) {
				s.Choice = in.Choice
				return Accept, nil
			},
		}},
		Finish: func(context.Context, *Request, *state) error { finished.Add(1); return nil },
	}
	r := &Request{User: user, Loc: cat.For("en"), Log: log}
	const rounds = 20
	for range rounds {
		if err := store.SaveConversation(ctx, storage.Conversation{UserID: user.ID, Flow: w.Name, Step: "0",
			Data: []byte(`{"step":0,"state":{}}`)}, time.Hour); err != nil {
			t.Fatal(err)
		}
		conv, err := store.Conversation(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if err := w.input(ctx, a, r, conv, Input{Choice: "yes", IsChoice: true}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if n := finished.Load(); n != rounds {
		t.Fatalf("Finish ran %d times for %d double answers, want %d", n, rounds, rounds)
	}
}
