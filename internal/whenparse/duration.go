package whenparse

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Duration bounds: shorter is a typo, longer is no single event.
const (
	MinDuration = 5 * time.Minute
	MaxDuration = 14 * 24 * time.Hour
)

// ErrDuration is returned for a duration that cannot be read or is out of
// bounds.
var ErrDuration = errors.New("not a duration")

var (
	// 1:30 (hours and minutes)
	hmRe = regexp.MustCompile(`^(\d{1,3}):(\d{2})$`)
	// a number and an optional unit: 90 min, 1.5h, 2 Std., 1,5 години
	partRe = regexp.MustCompile(`(\d+(?:[.,]\d+)?)\s*([^\d\s.,]*\.?)`)
)

// units maps the words for minutes, hours and days in the bot's languages
// (and their abbreviations) to their length.
var units = map[string]time.Duration{}

func init() {
	for unit, words := range map[time.Duration]string{
		time.Minute:    "m min mins minute minutes minuten minuter minut хв хвилина хвилини хвилин мин",
		time.Hour:      "h hr hrs hour hours std stunde stunden t tim timme timmar heure heures год година години годин ч",
		24 * time.Hour: "d day days tag tage tagen dag dagar jour jours дн день дні днів доба доби діб",
	} {
		for _, w := range strings.Fields(words) {
			units[w] = unit
		}
	}
}

// ParseDuration reads how long something lasts: "90" or "90 min"
// (minutes), "2", "2h", "2 Std." (hours), "1:30", "1,5 h", "1h30",
// "1 h 30 min", "2 дні". A bare number up to 24 is hours, above that
// minutes: nobody plans a 2-minute event or a 90-hour one.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if m := hmRe.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		min, _ := strconv.Atoi(m[2])
		if min > 59 {
			return 0, ErrDuration
		}
		return bounded(time.Duration(h)*time.Hour + time.Duration(min)*time.Minute)
	}
	parts := partRe.FindAllStringSubmatchIndex(s, -1)
	if len(parts) == 0 {
		return 0, ErrDuration
	}
	var total time.Duration
	rest := s
	for i, p := range parts {
		num := strings.Replace(s[p[2]:p[3]], ",", ".", 1)
		unitWord := strings.TrimSuffix(s[p[4]:p[5]], ".")
		n, err := strconv.ParseFloat(num, 64)
		if err != nil || n > 100000 {
			return 0, ErrDuration
		}
		var unit time.Duration
		switch {
		case unitWord != "":
			u, ok := units[unitWord]
			if !ok {
				return 0, ErrDuration
			}
			unit = u
		case i > 0 && len(parts) == 2:
			// "1h30": the unit after the hours is minutes.
			unit = time.Minute
		case len(parts) == 1 && n <= 24:
			unit = time.Hour
		case len(parts) == 1 && n == float64(int(n)):
			unit = time.Minute
		default:
			return 0, ErrDuration
		}
		total += time.Duration(n * float64(unit)).Round(time.Minute)
		rest = strings.Replace(rest, s[p[0]:p[1]], "", 1)
	}
	if strings.TrimSpace(rest) != "" {
		return 0, ErrDuration
	}
	return bounded(total)
}

func bounded(d time.Duration) (time.Duration, error) {
	if d < MinDuration || d > MaxDuration {
		return 0, ErrDuration
	}
	return d, nil
}
