package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/go-telegram/bot/models"

	"partnerbot/storage"
)

// Wizard is a multi-step dialogue. Each step asks a question, takes a typed
// answer or a button press, validates it and writes it into the state S.
// S is kept as JSON in PostgreSQL between messages, so a half-finished
// wizard survives restarts. Every question offers Back (except the first)
// and Cancel. A new wizard is a value of this type plus its steps; register
// it in wizardTable (surface.go).
type Wizard[S any] struct {
	Name  string
	Steps []Step[S]
	// Finish runs once the last step is answered; the dialogue has ended
	// by then, and it runs once even when the last answer is handled
	// twice at the same time.
	Finish func(ctx context.Context, r *Request, s *S) error
}

// Step is one question of a wizard.
type Step[S any] struct {
	// Ask renders the question for the current state.
	Ask func(r *Request, s *S) Question
	// Answer validates the input and stores it in s.
	Answer func(ctx context.Context, r *Request, s *S, in Input) (Result, error)
	// Skip, if set, leaves the step out for states it does not apply to.
	Skip func(s *S) bool
}

// Question is what a step shows: HTML text and optional choice buttons.
type Question struct {
	Text    string
	Choices [][]Choice
}

// Choice is a button whose Value comes back as Input.Choice.
type Choice struct {
	Label string
	Value string
}

// Input is the user's answer: typed text, or the value of a pressed button.
type Input struct {
	Text     string
	Choice   string
	IsChoice bool
}

// Result tells the wizard what to do after an answer.
type Result struct {
	// Problem, a message ID, says why the answer was refused; the same
	// question is asked again below the hint. Args fill its placeholders.
	Problem string
	Args    []any
	// Stay asks the same question again (e.g. after toggling one option of
	// a multi-select), updating the message in place.
	Stay bool
}

// Accept moves on to the next step.
var Accept = Result{}

// Refuse returns a Result that shows the hint with message ID problem,
// its placeholders filled from args (name/value pairs).
func Refuse(problem string, args ...any) Result { return Result{Problem: problem, Args: args} }

// wizardState is what is stored in conversations.data.
type wizardState[S any] struct {
	Step  int `json:"step"`
	State S   `json:"state"`
}

// wizard is the type-erased face of a Wizard[S] that the router uses.
type wizard interface {
	flowName() string
	input(ctx context.Context, a *App, r *Request, conv storage.Conversation, in Input) error
}

func (w *Wizard[S]) flowName() string { return w.Name }

// Start begins the wizard for the user with initial state s.
func (w *Wizard[S]) Start(ctx context.Context, a *App, r *Request, s S) error {
	st := wizardState[S]{Step: w.next(&s, -1), State: s}
	return w.ask(ctx, a, r, &st, "", false)
}

func (w *Wizard[S]) next(s *S, from int) int {
	for i := from + 1; i < len(w.Steps); i++ {
		if w.Steps[i].Skip == nil || !w.Steps[i].Skip(s) {
			return i
		}
	}
	return len(w.Steps)
}

func (w *Wizard[S]) prev(s *S, from int) int {
	for i := from - 1; i >= 0; i-- {
		if w.Steps[i].Skip == nil || !w.Steps[i].Skip(s) {
			return i
		}
	}
	return from
}

func (w *Wizard[S]) input(ctx context.Context, a *App, r *Request, conv storage.Conversation, in Input) error {
	var st wizardState[S]
	if err := json.Unmarshal(conv.Data, &st); err != nil || st.Step < 0 || st.Step >= len(w.Steps) {
		r.Log.Error("corrupt wizard state; starting over", "flow", w.Name, "err", err)
		if err := a.endFlow(ctx, r); err != nil {
			return err
		}
		return a.reply(ctx, r, r.Loc.T("error_generic"), nil)
	}
	if in.IsChoice && in.Choice == wizardBack {
		st.Step = w.prev(&st.State, st.Step)
		return w.ask(ctx, a, r, &st, "", true)
	}
	res, err := w.Steps[st.Step].Answer(ctx, r, &st.State, in)
	if err != nil {
		return err
	}
	switch {
	case res.Problem != "":
		return w.ask(ctx, a, r, &st, r.Loc.T(res.Problem, res.Args...), false)
	case res.Stay:
		return w.ask(ctx, a, r, &st, "", in.IsChoice)
	}
	st.Step = w.next(&st.State, st.Step)
	if st.Step == len(w.Steps) {
		// Compare-and-delete: of two handlings of the same last answer
		// (a double tap reaching two instances), only the one that ends
		// the dialogue as it read it runs Finish.
		ended, err := a.store.EndConversationIf(ctx, conv)
		if err != nil {
			return err
		}
		if !ended {
			r.Log.Info("wizard already finished or moved on; answer ignored", "flow", w.Name, "step", conv.Step)
			if in.IsChoice {
				return nil // the press was acknowledged; the other handling shows the outcome
			}
			return a.reply(ctx, r, r.Loc.T("free_text"), nil)
		}
		return w.Finish(ctx, r, &st.State)
	}
	return w.ask(ctx, a, r, &st, "", in.IsChoice)
}

// ask stores the position and shows the current question, below problem
// (rendered HTML) if there is one, replacing the pressed message when the
// answer came from a button.
func (w *Wizard[S]) ask(ctx context.Context, a *App, r *Request, st *wizardState[S], problem string, inPlace bool) error {
	if err := a.startFlow(ctx, r, w.Name, strconv.Itoa(st.Step), st); err != nil {
		return err
	}
	q := w.Steps[st.Step].Ask(r, &st.State)
	text := q.Text
	if problem != "" {
		text = "⚠️ " + problem + "\n\n" + text
	}
	kb := keyboard()
	for _, row := range q.Choices {
		buttons := make([]models.InlineKeyboardButton, 0, len(row))
		for _, c := range row {
			buttons = append(buttons, button(c.Label, wizardButton(st.Step, c.Value)))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, buttons)
	}
	nav := cancelRow(r)
	if w.prev(&st.State, st.Step) != st.Step {
		nav = append([]models.InlineKeyboardButton{button(r.Loc.Plain("button_back"), wizardButton(st.Step, wizardBack))}, nav...)
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, nav)
	if inPlace {
		return a.edit(ctx, r, text, kb)
	}
	return a.reply(ctx, r, text, kb)
}

// wizardBack is the choice value of the Back button.
const wizardBack = "\x00back"

// onWizardButton passes a pressed wizardButton to the wizard the user is
// in. A button from an old question, another flow or forged data is refused.
func (a *App) onWizardButton(ctx context.Context, r *Request) error {
	step, value, ok := parseWizardButton(r.Callback.Data)
	conv, err := a.store.Conversation(ctx, r.User.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	w, active := a.wizards[conv.Flow]
	if err != nil || !active || !ok || strconv.Itoa(step) != conv.Step {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	a.ackCallback(ctx, r)
	return w.input(ctx, a, r, conv, Input{Choice: value, IsChoice: true})
}
