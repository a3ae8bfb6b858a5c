package bot

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"partnerbot/locales"
)

// Reusable wizard steps. Each constructor returns a Step that any
// Wizard[S] can use; field (or get/set) says where in S the answer lives.
// Their hints are in locales/steps.<lang>.toml.

// previewLen bounds how much of a current value a question repeats (the
// mark of a cut included), so question and value stay within one Telegram
// message.
const previewLen = 1001

// TextStep asks for a typed text of 1 to maxLen characters, stored
// trimmed in *field(s). The question repeats the current value, if any
// (after Back, or when editing), so the user sees what they replace.
func TextStep[S any](question string, maxLen int, field func(*S) *string) Step[S] {
	return Step[S]{
		Ask: func(r *Request, s *S) Question {
			text := r.Loc.T(question)
			if cur := *field(s); cur != "" {
				text += "\n\n" + r.Loc.T("step_current", "Value", truncate(cur, previewLen))
			}
			return Question{Text: text}
		},
		Answer: func(_ context.Context, _ *Request, s *S, in Input) (Result, error) {
			text := strings.TrimSpace(in.Text)
			n := utf8.RuneCountInString(text)
			switch {
			case in.IsChoice:
				return Refuse("step_type_text"), nil
			case n == 0:
				return Refuse("step_text_empty"), nil
			case n > maxLen:
				return Refuse("step_text_too_long", "Max", maxLen, "Length", n), nil
			}
			*field(s) = text
			return Accept, nil
		},
	}
}

// ChoiceStep asks to pick one of options by button; label names an option
// in the user's language. The current choice is marked.
func ChoiceStep[S any](question string, options []string, label func(*locales.Localizer, string) string,
	get func(*S) string, set func(*S, string)) Step[S] {
	return Step[S]{
		Ask: func(r *Request, s *S) Question {
			q := Question{Text: r.Loc.T(question)}
			for _, o := range options {
				q.Choices = append(q.Choices, []Choice{{Label: marked(o == get(s), label(r.Loc, o)), Value: o}})
			}
			return q
		},
		Answer: func(_ context.Context, _ *Request, s *S, in Input) (Result, error) {
			if !in.IsChoice || !slices.Contains(options, in.Choice) {
				return Refuse("step_use_buttons"), nil
			}
			set(s, in.Choice)
			return Accept, nil
		},
	}
}

// Choice values of MultiSelectStep: "+<option>" toggles, multiDone ends.
const (
	multiToggle = "+"
	multiDone   = "="
)

// MultiSelectStep asks to pick one or more of options by toggling buttons
// and pressing Done; tooFew is the hint when Done comes with nothing
// picked. The selection is kept in the order of options.
func MultiSelectStep[S any](question, tooFew string, options []string, label func(*locales.Localizer, string) string,
	field func(*S) *[]string) Step[S] {
	return Step[S]{
		Ask: func(r *Request, s *S) Question {
			q := Question{Text: r.Loc.T(question)}
			var row []Choice
			for _, o := range options {
				row = append(row, Choice{Label: marked(slices.Contains(*field(s), o), label(r.Loc, o)), Value: multiToggle + o})
				if len(row) == 2 {
					q.Choices, row = append(q.Choices, row), nil
				}
			}
			if len(row) > 0 {
				q.Choices = append(q.Choices, row)
			}
			q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("step_done"), Value: multiDone}})
			return q
		},
		Answer: func(_ context.Context, _ *Request, s *S, in Input) (Result, error) {
			picked := field(s)
			option, toggle := strings.CutPrefix(in.Choice, multiToggle)
			switch {
			case !in.IsChoice:
				return Refuse("step_use_buttons"), nil
			case in.Choice == multiDone && len(*picked) == 0:
				return Refuse(tooFew), nil
			case in.Choice == multiDone:
				return Accept, nil
			case !toggle || !slices.Contains(options, option):
				return Refuse("step_use_buttons"), nil
			}
			if slices.Contains(*picked, option) {
				*picked = slices.DeleteFunc(slices.Clone(*picked), func(o string) bool { return o == option })
			} else {
				*picked = slices.DeleteFunc(slices.Clone(options), func(o string) bool {
					return o != option && !slices.Contains(*picked, o)
				})
			}
			return Result{Stay: true}, nil
		},
	}
}

// marked prefixes the label of a chosen option with a check mark.
func marked(chosen bool, label string) string {
	if chosen {
		return "✅ " + label
	}
	return label
}
