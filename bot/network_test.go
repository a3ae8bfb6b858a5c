package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// addExamplePartnerships links the project towns as the example files do,
// with a start year on one partnership to show it.
func addExamplePartnerships(t *testing.T, w *projectWorld) {
	t.Helper()
	ctx := context.Background()
	err := w.Store.WriteTowns(ctx, func(tw *storage.TownWriter) error {
		for _, p := range []storage.PartnershipRecord{
			{TownA: "ua-ichnia", TownB: "de-grevesmuehlen", Kind: storage.KindSolidarity},
			{TownA: "de-grevesmuehlen", TownB: "se-laxa", Kind: storage.KindTwinning, Since: time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)},
		} {
			if _, err := tw.UpsertPartnership(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNetworkByName: "/network <name>" answers at once in any spelling,
// offers buttons when several towns share the name, and says so when none
// fits; in English, Swedish and Ukrainian.
func TestNetworkByName(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	addExamplePartnerships(t, w)
	ctx := context.Background()
	err := w.Store.WriteTowns(ctx, func(tw *storage.TownWriter) error {
		for _, r := range []storage.TownRecord{
			{Key: "ua-nova-basan-1", Name: "Nova Basan", Country: "UA", Region: "Chernihiv Oblast"},
			{Key: "ua-nova-basan-2", Name: "Nova Basan", Country: "UA", Region: "Kyiv Oblast"},
		} {
			if _, _, err := tw.UpsertTown(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	en, sv, uk := w.Loc("en"), w.Loc("sv"), w.Loc("uk")
	sam := w.user(20301, "en", "Sam")
	sam.Say("/network Itschnja").Expect(en.T("network_title", "Town", "Ichnia, Ukraine"),
		en.T("network_partner", "Town", "Grevesmühlen, Germany", "Kinds", en.Plain("kind_solidarity")),
		en.T("network_partners_of_partners"),
		en.N("network_via", 1, "Town", "Laxå, Sweden", "Via", "Grevesmühlen"))

	astrid := w.user(20302, "sv", "Astrid")
	astrid.Say("/network Laxa").Expect(sv.T("network_title", "Town", "Laxå, Sverige"),
		sv.T("network_partner_since", "Town", "Grevesmühlen, Tyskland", "Kinds", sv.Plain("kind_twinning"), "Year", 2004),
		sv.N("network_via", 1, "Town", "Ichnia, Ukraina", "Via", "Grevesmühlen"))
	astrid.ExpectNot("Laxå, Sverige " + sv.Plain("kind_twinning")) // the town itself is not its own partner

	olena := w.user(20303, "uk", "Олена")
	olena.Say("/network Grevesmuehlen").Expect(uk.T("network_title", "Town", "Grevesmühlen, Німеччина"),
		"Ichnia, Україна", "Laxå, Швеція")
	olena.ExpectNot(uk.T("network_partners_of_partners")) // every partner's partner is a direct partner
	olena.Say("/network Нова Басань").Expect(uk.T("step_town_pick"))
	w.expectButtons(olena.Last(), "Nova Basan, Chernihiv Oblast, Україна", "Nova Basan, Kyiv Oblast, Україна")
	olena.Press("Nova Basan, Kyiv Oblast, Україна").Expect(uk.T("network_empty", "Town", "Nova Basan, Україна"))
	olena.Say("/network Атлантида").Expect(uk.T("step_town_unknown", "Query", "Атлантида"), uk.T("network_usage"))
}

// TestNetworkAsksForATown: plain /network without a profile town asks for
// one (in Ukrainian), and forged network buttons are refused.
func TestNetworkAsksForATown(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	addExamplePartnerships(t, w)
	uk := w.Loc("uk")
	olena := w.user(20401, "uk", "Олена")
	olena.Say("/network").Expect(uk.T("network_ask_town"))
	olena.Say("Ічня").Expect(uk.T("step_town_pick"))
	olena.Press(w.townButton(uk, "Ichnia")).Expect(uk.T("network_title", "Town", "Ichnia, Україна"),
		uk.N("network_via", 1, "Town", "Laxå, Швеція", "Via", "Grevesmühlen"))

	proposed, err := testdb.InTx(w.Store, func(tx pgx.Tx) (storage.Town, error) {
		return w.Store.ProposeTownTx(context.Background(), tx, storage.TownProposal{Name: "Secret", Country: "UA"},
			storage.Profile{UserID: olena.ID()})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{"nw:999999", "nw:" + itoa(proposed.ID), "nw:x", "nw:"} {
		olena.PressData(data)
		w.expectAlert(olena, uk.Plain("callback_invalid"))
	}
}
