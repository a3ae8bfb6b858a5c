package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

func TestUpdateLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	payload := []byte(`{"update_id":7}`)

	fresh, err := s.RecordUpdate(ctx, 7, 42, payload)
	if err != nil || !fresh {
		t.Fatalf("first record: fresh=%v err=%v", fresh, err)
	}
	if fresh, err := s.RecordUpdate(ctx, 7, 42, payload); err != nil || fresh {
		t.Fatalf("replayed update counted as fresh=%v err=%v", fresh, err)
	}

	got, err := s.ClaimUpdate(ctx, 7, "a", time.Minute)
	var back struct {
		UpdateID int64 `json:"update_id"`
	}
	if err != nil || json.Unmarshal(got, &back) != nil || back.UpdateID != 7 {
		t.Fatalf("claim: %q %v", got, err)
	}
	if _, err := s.ClaimUpdate(ctx, 7, "b", time.Minute); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("second owner claimed a leased update: %v", err)
	}
	if _, err := s.ClaimUpdate(ctx, 7, "a", time.Minute); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("same owner claimed a leased update twice: %v", err)
	}
	pending, err := s.PendingUpdates(ctx, time.Minute, 10)
	if err != nil || len(pending) != 0 {
		t.Fatalf("leased update listed as pending: %v %v", pending, err)
	}
	// A lease that ran out (the owner crashed) frees the update again.
	if _, err := s.ClaimUpdate(ctx, 7, "b", 0); err != nil {
		t.Fatalf("expired lease not taken over: %v", err)
	}
	if err := s.FinishUpdate(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimUpdate(ctx, 7, "c", 0); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("finished update claimed again: %v", err)
	}
	if fresh, _ := s.RecordUpdate(ctx, 7, 42, payload); fresh {
		t.Fatal("finished update accepted again")
	}
}
