package faketelegram_test

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestRawUpdatesKeepTheirBytes: InjectRaw and PressButtonBytes reach
// getUpdates byte for byte, with the server's update_id winning, as the Bot
// API passes on client data that is not UTF-8.
func TestRawUpdatesKeepTheirBytes(t *testing.T) {
	srv := newServer(t)
	if _, err := srv.InjectRaw([]byte(`[1]`)); err == nil {
		t.Fatal("a JSON array was accepted as an update")
	}
	id, err := srv.InjectRaw([]byte(`{"update_id":5,"message":{"text":"x"}}`))
	if err != nil {
		t.Fatal(err)
	}
	empty, err := srv.InjectRaw([]byte(` { } `))
	if err != nil {
		t.Fatal(err)
	}
	press, query := srv.PressButtonBytes(alice, 1, []byte("pj:\xff\x00\"\\"))
	_, ans, body := postJSON(t, srv, "getUpdates", map[string]any{"offset": 0})
	var raws []json.RawMessage
	if err := json.Unmarshal(ans.Result, &raws); err != nil || len(raws) != 3 {
		t.Fatalf("getUpdates gave %s (%v)", body, err)
	}
	for i, want := range []int64{id, empty, press} {
		var head struct {
			ID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raws[i], &head); err != nil || head.ID != want {
			t.Errorf("update %d: id %d (%v), want %d: %s", i, head.ID, err, want, raws[i])
		}
	}
	if !bytes.Contains(raws[2], []byte("\"pj:\xff\\u0000\\\"\\\\\"")) {
		t.Errorf("callback data not written as the Bot API writes it: %q", raws[2])
	}
	var u struct {
		CallbackQuery struct {
			ID string `json:"id"`
		} `json:"callback_query"`
	}
	if err := json.Unmarshal(raws[2], &u); err != nil || u.CallbackQuery.ID != query {
		t.Errorf("callback query id %q (%v), want %q", u.CallbackQuery.ID, err, query)
	}
}
