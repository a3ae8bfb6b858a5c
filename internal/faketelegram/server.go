package faketelegram

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// BotID is the user id of the fake bot; it is also the numeric part of
// its token, as with real tokens.
const BotID int64 = 7012345678

// BotUsername is the fake bot's username.
const BotUsername = "partnerbot_test_bot"

// Server is a fake Telegram Bot API server. Create it with New and stop it
// with Close. All methods are safe for concurrent use.
type Server struct {
	http    *httptest.Server
	token   string
	bot     models.User
	client  *http.Client
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc
	closing chan struct{}
	once    sync.Once
	wg      sync.WaitGroup // background webhook deliveries

	deliverMu sync.Mutex // serialises webhook deliveries

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change

	// updates
	lastUpdateID int64
	queue        []queuedUpdate
	queueSeq     uint64
	history      map[int64][]byte
	pollGen      uint64
	polling      int // getUpdates requests waiting
	webhook      webhookState
	deliveries   []Delivery

	// chats and what the bot did
	chats       map[int64]*chatState
	calls       []Call
	commands    map[CommandScope][]models.BotCommand
	queries     map[string]*callbackQuery
	querySeq    int64
	answers     []CallbackAnswer
	files       map[string]*Document
	photos      map[string]bool // file_ids of photos
	fileSeq     int
	strictHTML  bool
	blocked     map[int64]bool
	faults      map[string][]Fault
	rateLimits  bool
	limiter     *rateLimiter
	tooManyReqs int

	// grp: members, join requests, invite links, migrations (groups.go)
	grp *groupState
}

// New starts a fake Bot API server on a local port.
func New() *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		token:        strconv.FormatInt(BotID, 10) + ":AAF-test" + randomString(27),
		bot:          models.User{ID: BotID, IsBot: true, FirstName: "PartnerBot Test", Username: BotUsername, CanJoinGroups: true},
		ctx:          ctx,
		cancel:       cancel,
		closing:      make(chan struct{}),
		changed:      make(chan struct{}),
		lastUpdateID: 100000,
		history:      map[int64][]byte{},
		chats:        map[int64]*chatState{},
		commands:     map[CommandScope][]models.BotCommand{},
		queries:      map[string]*callbackQuery{},
		files:        map[string]*Document{},
		photos:       map[string]bool{},
		strictHTML:   true,
		blocked:      map[int64]bool{},
		faults:       map[string][]Fault{},
		limiter:      newRateLimiter(),
	}
	s.client = &http.Client{
		Timeout: webhookTimeout,
		// Telegram treats a redirect as a failed delivery.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			// Webhooks in tests are often httptest TLS servers.
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // test server
		},
	}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the server's base URL, for bot.WithServerURL.
func (s *Server) URL() string { return s.http.URL }

// Token is the bot token the server accepts; requests with any other token
// are answered 401 Unauthorized.
func (s *Server) Token() string { return s.token }

// BotUser is the bot itself, as getMe returns it.
func (s *Server) BotUser() models.User { return s.bot }

// SetStrictHTML chooses how parse_mode HTML treats an "&" that does not
// start a known entity: an error when strict (the default, see ParseHTML),
// literal text like Telegram otherwise.
func (s *Server) SetStrictHTML(strict bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.strictHTML = strict
}

// Close stops the server. It unblocks pending long polls and webhook
// deliveries and waits for them to finish.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.cancel()
		s.http.Close()
		s.wg.Wait()
		s.client.CloseIdleConnections()
	})
}

func randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// notifyLocked wakes everyone waiting for a state change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// view runs f with a Snapshot under the lock.
func (s *Server) view(f func(*Snapshot)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&Snapshot{s: s})
}

// handlerFunc implements one Bot API method. A result of type described
// adds a "description" to a successful answer, as some methods do.
type handlerFunc func(s *Server, rq *request) (any, *apiError)

type described struct {
	result      any
	description string
}

type methodInfo struct {
	name    string
	handler handlerFunc
}

// methods maps lower-cased method names (Telegram ignores case) to handlers.
var methods = map[string]methodInfo{}

func init() {
	for name, h := range map[string]handlerFunc{
		"getMe":                  (*Server).handleGetMe,
		"getUpdates":             (*Server).handleGetUpdates,
		"setWebhook":             (*Server).handleSetWebhook,
		"deleteWebhook":          (*Server).handleDeleteWebhook,
		"getWebhookInfo":         (*Server).handleGetWebhookInfo,
		"sendMessage":            (*Server).handleSendMessage,
		"sendDocument":           (*Server).handleSendDocument,
		"sendPhoto":              (*Server).handleSendPhoto,
		"editMessageCaption":     (*Server).handleEditMessageCaption,
		"sendChatAction":         (*Server).handleSendChatAction,
		"editMessageText":        (*Server).handleEditMessageText,
		"editMessageReplyMarkup": (*Server).handleEditMessageReplyMarkup,
		"deleteMessage":          (*Server).handleDeleteMessage,
		"answerCallbackQuery":    (*Server).handleAnswerCallbackQuery,
		"setMyCommands":          (*Server).handleSetMyCommands,
		"getMyCommands":          (*Server).handleGetMyCommands,
		"deleteMyCommands":       (*Server).handleDeleteMyCommands,
		// groups.go
		"getChatMember":          (*Server).handleGetChatMember,
		"getChatAdministrators":  (*Server).handleGetChatAdministrators,
		"createChatInviteLink":   (*Server).handleCreateChatInviteLink,
		"approveChatJoinRequest": (*Server).handleApproveChatJoinRequest,
		"declineChatJoinRequest": (*Server).handleDeclineChatJoinRequest,
	} {
		methods[strings.ToLower(name)] = methodInfo{name: name, handler: h}
	}
}

func (s *Server) handleGetMe(*request) (any, *apiError) { return s.bot, nil }

// serveHTTP routes /bot<token>/<method>.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
		writeError(w, errNotFound)
		return
	}
	if token != s.token {
		writeError(w, errUnauthorized)
		return
	}
	info, known := methods[strings.ToLower(method)]
	if !known {
		info.name = method
	}
	params, files, parseErr := parseRequest(r)
	rq := &request{ctx: r.Context(), method: info.name, params: params, files: files}
	var (
		result any
		aerr   *apiError
	)
	switch {
	case errors.Is(parseErr, errBodyTooLarge):
		aerr = errEntityTooLarge
	case parseErr != nil:
		aerr = errRequestBody
	case !known:
		aerr = errNotFound
	default:
		if f, ok := s.takeFault(info.name); ok {
			s.serveFault(w, rq, f)
			return
		}
		result, aerr = info.handler(s, rq)
	}
	status := http.StatusOK
	if aerr != nil {
		status = aerr.code
		writeError(w, aerr)
	} else {
		writeResult(w, result)
	}
	s.recordCall(rq, status, aerr)
}

// recordCall appends the answered request to the call log.
func (s *Server) recordCall(rq *request, status int, aerr *apiError) {
	c := Call{Method: rq.method, Params: rq.params, Status: status, Time: time.Now()}
	if len(rq.files) > 0 {
		c.Files = map[string]string{}
		for field, f := range rq.files {
			c.Files[field] = f.fileName
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr != nil {
		c.Error = aerr.description
		if aerr.code == http.StatusTooManyRequests {
			s.tooManyReqs++
		}
	}
	s.calls = append(s.calls, c)
	s.notifyLocked()
}

type responseParameters struct {
	RetryAfter      int   `json:"retry_after,omitempty"`
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
}

type apiResponse struct {
	OK          bool                `json:"ok"`
	Result      json.RawMessage     `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

func writeResult(w http.ResponseWriter, result any) {
	resp := apiResponse{OK: true}
	if d, ok := result.(described); ok {
		result, resp.Description = d.result, d.description
	}
	raw, err := json.Marshal(result)
	if err != nil {
		writeError(w, &apiError{code: http.StatusInternalServerError, description: "Internal Server Error"})
		return
	}
	resp.Result = raw
	writeJSON(w, http.StatusOK, resp)
}

func writeError(w http.ResponseWriter, e *apiError) {
	resp := apiResponse{ErrorCode: e.code, Description: e.description}
	if e.retryAfter > 0 || e.migrateTo != 0 {
		resp.Parameters = &responseParameters{RetryAfter: e.retryAfter, MigrateToChatID: e.migrateTo}
	}
	writeJSON(w, e.code, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
