package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerbot/storage"
)

func writePartnerships(t *testing.T, s *storage.Store, ps ...storage.PartnershipRecord) {
	t.Helper()
	err := s.WriteTowns(context.Background(), func(w *storage.TownWriter) error {
		for _, p := range ps {
			if _, err := w.UpsertPartnership(context.Background(), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func townID(t *testing.T, s *storage.Store, query string) int64 {
	t.Helper()
	found, err := s.SearchTowns(context.Background(), query, 1)
	if err != nil || len(found) == 0 {
		t.Fatalf("town %q: %v %v", query, found, err)
	}
	return found[0].ID
}

func TestNetwork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStoreWithTowns(t, append(append([]storage.TownRecord{}, exampleTowns...),
		storage.TownRecord{Key: "x-a", Name: "Aville", Country: "FR"},
		storage.TownRecord{Key: "x-b", Name: "Bstadt", Country: "DE"},
		storage.TownRecord{Key: "x-c", Name: "Cby", Country: "SE"},
	)...)
	since := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	writePartnerships(t, s,
		storage.PartnershipRecord{TownA: "ua-ichnia", TownB: "de-grevesmuehlen", Kind: storage.KindSolidarity, Since: since},
		// The same pair again in the other order and another kind: still one partner.
		storage.PartnershipRecord{TownA: "de-grevesmuehlen", TownB: "ua-ichnia", Kind: storage.KindProject},
		storage.PartnershipRecord{TownA: "de-grevesmuehlen", TownB: "se-laxa", Kind: storage.KindTwinning},
		// Bstadt is a direct partner and a partner's partner: listed once, as direct.
		storage.PartnershipRecord{TownA: "ua-ichnia", TownB: "x-b", Kind: storage.KindTwinning},
		storage.PartnershipRecord{TownA: "de-grevesmuehlen", TownB: "x-b", Kind: storage.KindProject},
		// Laxå is reached through two partners: listed once, with both.
		storage.PartnershipRecord{TownA: "x-b", TownB: "se-laxa", Kind: storage.KindProject},
		// Cby is three steps away: not in the network.
		storage.PartnershipRecord{TownA: "se-laxa", TownB: "x-c", Kind: storage.KindTwinning},
		// Aville is unconnected.
	)
	ichnia := townID(t, s, "Ічня")
	n, err := s.Network(ctx, ichnia)
	if err != nil {
		t.Fatal(err)
	}
	var direct, indirect []string
	for _, p := range n.Direct {
		direct = append(direct, p.Town.Name+":"+strings.Join(p.Kinds, "+")+":"+p.Since.Format("2006"))
	}
	for _, p := range n.Indirect {
		indirect = append(indirect, p.Town.Name+":"+strings.Join(p.Kinds, "+")+":via "+strings.Join(names(p.Via), ","))
	}
	wantDirect := []string{"Bstadt:twinning:0001", "Grevesmühlen:solidarity+project:2023"}
	wantIndirect := []string{"Laxå:twinning+project:via Bstadt,Grevesmühlen"}
	if !slices.Equal(direct, wantDirect) || !slices.Equal(indirect, wantIndirect) {
		t.Errorf("Network(Ichnia):\n direct %v, want %v\n indirect %v, want %v", direct, wantDirect, indirect, wantIndirect)
	}

	n, err = s.Network(ctx, townID(t, s, "Aville"))
	if err != nil || len(n.Direct) != 0 || len(n.Indirect) != 0 {
		t.Errorf("Network(Aville) = %+v, %v; want empty", n, err)
	}
}

func TestUpsertPartnershipErrors(t *testing.T) {
	t.Parallel()
	s := newStoreWithTowns(t, exampleTowns...)
	tests := []struct {
		rec     storage.PartnershipRecord
		unknown string
	}{
		{storage.PartnershipRecord{TownA: "ua-ichnia", TownB: "nowhere", Kind: storage.KindTwinning}, "nowhere"},
		{storage.PartnershipRecord{TownA: "ua-ichnia", TownB: "ua-ichnia", Kind: storage.KindTwinning}, ""},
	}
	for _, tt := range tests {
		err := s.WriteTowns(context.Background(), func(w *storage.TownWriter) error {
			_, err := w.UpsertPartnership(context.Background(), tt.rec)
			return err
		})
		var ute *storage.UnknownTownError
		if err == nil || errors.As(err, &ute) != (tt.unknown != "") || (ute != nil && ute.Key != tt.unknown) {
			t.Errorf("UpsertPartnership(%+v) err = %v", tt.rec, err)
		}
	}
}
