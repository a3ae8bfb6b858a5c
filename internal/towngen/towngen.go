// Package towngen makes up realistic towns for benchmarks and load tests:
// Ukrainian towns named in Cyrillic with their national and German
// transliterations, German towns with umlauts and ß, Swedish, Polish and
// French towns with their accents. The same seed gives the same towns.
package towngen

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"partnerbot/internal/translit"
	"partnerbot/storage"
)

var (
	ukPrefixes = []string{"", "", "", "", "Нова ", "Стара ", "Велика ", "Мала ", "Верхня ", "Нижня "}
	ukRoots    = []string{"Ічн", "Басан", "Борзн", "Козел", "Прилук", "Ніжин", "Чернігів", "Городн", "Сновськ",
		"Менськ", "Корюк", "Сосниц", "Бахмач", "Носів", "Талалаїв", "Варв", "Срібн", "Яготин", "Житомир",
		"Жашків", "Щорс", "Харків", "Запоріж", "Юрів", "Єлизавет", "Гоща", "Згурів", "Ковел", "Любеш", "Шацьк"}
	ukSuffixes = []string{"я", "івка", "ів", "ове", "ичі", "ець", "ани", "опіль", "ин", "ськ", "ка", "ине"}
	ukRegions  = []string{"Chernihiv Oblast", "Kyiv Oblast", "Zhytomyr Oblast", "Poltava Oblast", "Volyn Oblast",
		"Rivne Oblast", "Kharkiv Oblast", "Zaporizhzhia Oblast", "Lviv Oblast", "Odesa Oblast"}

	dePrefixes = []string{"", "", "", "Bad ", "Groß ", "Klein ", "Neu ", "Alt ", "Sankt "}
	deRoots    = []string{"Grevesm", "Mühl", "Bröck", "Lüb", "Schön", "Wüst", "Weiß", "Gräf", "Hohen", "Ahrensb",
		"Rostock", "Wism", "Güstr", "Boizenb", "Dömitz", "Hagen", "Laub", "Fürsten", "Königs", "Straß"}
	deSuffixes = []string{"ühlen", "hausen", "dorf", "berg", "hagen", "stadt", "feld", "ök", "au", "heim", "burg"}
	deRegions  = []string{"Mecklenburg-Vorpommern", "Brandenburg", "Sachsen", "Thüringen", "Bayern", "Hessen",
		"Niedersachsen", "Schleswig-Holstein", "Baden-Württemberg", "Nordrhein-Westfalen"}

	others = []struct {
		country string
		regions []string
		roots   []string
		endings []string
	}{
		{"SE", []string{"Örebro län", "Skåne län", "Västra Götalands län"},
			[]string{"Lax", "Kumla", "Hallsb", "Åm", "Öster", "Väster", "Sköv", "Nör", "Hjo", "Töreb"},
			[]string{"å", "sjö", "berg", "holm", "köping", "ström", "näs", "by"}},
		{"PL", []string{"Mazowieckie", "Łódzkie", "Śląskie"},
			[]string{"Łód", "Trzebiat", "Wąbrz", "Żyr", "Środ", "Głog", "Kraśn", "Złot"},
			[]string{"ów", "owo", "źno", "ice", "ów Mazowiecki", "ardów", "yń"}},
		{"FR", []string{"Île-de-France", "Normandie", "Auvergne-Rhône-Alpes"},
			[]string{"Saint-Étienne", "Évr", "Château", "Béth", "Vénis", "Orl", "Pér"},
			[]string{"", "-sur-Loire", "y", "ières", "eux", "-le-Château"}},
	}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// Towns returns n made-up towns with unique keys: half Ukrainian, a
// quarter German, the rest Swedish, Polish and French.
func Towns(n int, seed uint64) []storage.TownRecord {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]storage.TownRecord, 0, n)
	for i := range n {
		var t storage.TownRecord
		switch {
		case i%4 < 2:
			uk := pick(r, ukPrefixes) + pick(r, ukRoots) + pick(r, ukSuffixes)
			t = storage.TownRecord{Name: translit.To(translit.National, uk), Country: "UA", Region: pick(r, ukRegions),
				Names: []storage.TownName{{Name: uk, Lang: "uk"}, {Name: translit.To(translit.German, uk), Lang: "de"}}}
		case i%4 == 2:
			t = storage.TownRecord{Name: pick(r, dePrefixes) + pick(r, deRoots) + pick(r, deSuffixes), Country: "DE",
				Region: pick(r, deRegions)}
		default:
			o := pick(r, others)
			t = storage.TownRecord{Name: pick(r, o.roots) + pick(r, o.endings), Country: o.country, Region: pick(r, o.regions)}
		}
		t.Key = fmt.Sprintf("gen-%s-%d", strings.ToLower(t.Country), i)
		out = append(out, t)
	}
	return out
}
