package scheduler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
	"github.com/ahtui/ahtui/session/shellcmd"
)

// Notifier defaults.
const (
	DefaultNotifyTimeout = 30 * time.Second // one notify_command run
	DefaultNotifyGrace   = 10 * time.Second // shutdown waits this long for notifications still running or queued
	DefaultNotifyQueue   = 32               // notifications waiting for the command; more are dropped (and logged)

	// healthRenotify spaces reminders of a health problem that holds: the
	// runner re-publishes it every half hour, a phone needs it less often.
	healthRenotify = 2 * time.Hour
	// notifySlow: a command that took longer is logged as slow.
	notifySlow = 5 * time.Second
	// notifyWaitDelay bounds the wait for the command's output after it
	// ended or was killed (a child it left behind may hold stderr open).
	notifyWaitDelay = 2 * time.Second
)

// NotifyConfig tunes the notify_command hook; zero fields take the
// defaults above.
type NotifyConfig struct {
	Disabled bool          // no hook in this runner
	Timeout  time.Duration // each run is killed (with its process group) after this
	Grace    time.Duration // at shutdown, queued and running notifications get this long
	Queue    int           // notifications waiting while the command runs
	// Getenv reads the locale that decides the notifications' language
	// when the language setting is unset (default os.Getenv; tests).
	Getenv func(string) string
}

func (c NotifyConfig) withDefaults() NotifyConfig {
	if c.Timeout <= 0 {
		c.Timeout = DefaultNotifyTimeout
	}
	if c.Grace <= 0 {
		c.Grace = DefaultNotifyGrace
	}
	if c.Queue <= 0 {
		c.Queue = DefaultNotifyQueue
	}
	return c
}

// Notification is what notify_command receives: as one JSON object on
// stdin, and field by field in AHTUI_* environment variables (Env). Fields
// that do not apply to the event are empty (and left out of the JSON). It
// never holds a token, a cookie or a password.
type Notification struct {
	// Event: prebooking_outcome, prebooking_missed, prebooking_late,
	// prebooking_not_stored, window_rule_wrong, session_dead,
	// health_warning, health_resolved, plan_occurrence or watch.
	Event string `json:"event"`
	// Outcome: booked, waitlisted, failed, missed, late, session_dead,
	// warning or resolved; for plan_occurrence booked, fallback_booked,
	// waitlisted, full, failed, missed, no_class or cancelled; for watch
	// booked, place_free or ended.
	Outcome string `json:"outcome"`
	Title   string `json:"title"`   // a short headline in the member's language, e.g. "Booked: WOD Thu 26 Nov 07:00"
	Message string `json:"message"` // the whole event in one line (the log's, in English)
	Lang    string `json:"lang"`    // the language of Title and Reason: "en" or "es" (notify_lang.go)
	Time    string `json:"time"`    // when it happened, RFC 3339 with the box's offset

	PrebookingID  int64  `json:"prebooking_id,omitempty"`
	WatchID       int64  `json:"watch_id,omitempty"` // watch: the watch (`ahtui watch list`)
	Class         string `json:"class,omitempty"`
	ClassID       int64  `json:"class_id,omitempty"`
	Day           string `json:"day,omitempty"`       // YYYY-MM-DD
	Start         string `json:"start,omitempty"`     // HH:MM in the box's time zone
	StartsAt      string `json:"starts_at,omitempty"` // RFC 3339 with the box's offset
	Box           string `json:"box,omitempty"`       // subdomain
	BoxName       string `json:"box_name,omitempty"`
	ReservationID int64  `json:"reservation_id,omitempty"`
	Code          string `json:"code,omitempty"`   // the outcome code (session/outcome), e.g. "full"
	Reason        string `json:"reason,omitempty"` // the code in the member's words, then AimHarder's own, quoted
	Attempts      int    `json:"attempts,omitempty"`
	Late          bool   `json:"late,omitempty"`    // the booking request left a second or more after the opening
	LateMS        int64  `json:"late_ms,omitempty"` // how late, when Late and known
	Session       string `json:"session,omitempty"` // session_dead: which session (background)
	PlanID        int64  `json:"plan_id,omitempty"` // plan_occurrence: the weekly plan
	Plan          string `json:"plan,omitempty"`    // plan_occurrence: the plan in words, "every Mon/Wed/Fri 07:00 WOD"

	boxID int64 // looked up for Box and BoxName just before the run
	ev    Event // what it tells, for its words in the member's language (localize)
	// at and start are Time and StartsAt as instants, written again in
	// the box's zone just before the run (inZone).
	at, start time.Time
}

// inZone writes the notification's times in loc: its box's zone, or the
// current box's for an event of no box (never the machine's zone).
func (n *Notification) inZone(loc *time.Location) {
	if !n.at.IsZero() {
		n.Time = n.at.In(loc).Format(time.RFC3339)
	}
	if !n.start.IsZero() {
		n.Start = n.start.In(loc).Format("15:04")
		n.StartsAt = n.start.In(loc).Format(time.RFC3339)
	}
}

// Env returns the notification as AHTUI_* variables, every one set (empty
// when it does not apply), so a script with `set -u` works for any event.
func (n Notification) env() []string {
	id := func(v int64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	attempts, late := "", ""
	if n.Attempts > 0 {
		attempts = strconv.Itoa(n.Attempts)
	}
	if n.Late {
		late = "1"
	}
	lateMS := ""
	if n.LateMS != 0 {
		lateMS = strconv.FormatInt(n.LateMS, 10)
	}
	return []string{
		"AHTUI_EVENT=" + n.Event,
		"AHTUI_OUTCOME=" + n.Outcome,
		"AHTUI_TITLE=" + n.Title,
		"AHTUI_LANG=" + n.Lang,
		"AHTUI_MESSAGE=" + n.Message,
		"AHTUI_TIME=" + n.Time,
		"AHTUI_PREBOOKING_ID=" + id(n.PrebookingID),
		"AHTUI_WATCH_ID=" + id(n.WatchID),
		"AHTUI_CLASS=" + n.Class,
		"AHTUI_CLASS_ID=" + id(n.ClassID),
		"AHTUI_DAY=" + n.Day,
		"AHTUI_START=" + n.Start,
		"AHTUI_STARTS_AT=" + n.StartsAt,
		"AHTUI_BOX=" + n.Box,
		"AHTUI_BOX_NAME=" + n.BoxName,
		"AHTUI_RESERVATION_ID=" + id(n.ReservationID),
		"AHTUI_CODE=" + n.Code,
		"AHTUI_REASON=" + n.Reason,
		"AHTUI_ATTEMPTS=" + attempts,
		"AHTUI_LATE=" + late,
		"AHTUI_LATE_MS=" + lateMS,
		"AHTUI_SESSION=" + n.Session,
		"AHTUI_PLAN_ID=" + id(n.PlanID),
		"AHTUI_PLAN=" + n.Plan,
	}
}

// notificationOf turns an event into a notification; false for events
// that are not worth one (refreshes, clock estimates, arming…). Box and
// BoxName are filled in later, from the store.
func notificationOf(e Event) (Notification, bool) {
	n := Notification{Time: e.Time().Format(time.RFC3339), Message: e.String(), Lang: string(outcome.EN), at: e.Time(), ev: e}
	switch e := e.(type) {
	case PrebookingOutcome:
		n.Event, n.Outcome = "prebooking_outcome", string(e.Prebooking.Status)
		n.prebooking(e.Prebooking)
		late := ""
		if l := e.Prebooking.Lateness(); l != "" {
			late = " " + l
		}
		switch e.Prebooking.Status {
		case session.PrebookBooked:
			n.Title = "Booked" + late + ": "
		case session.PrebookWaitlisted:
			n.Title = "On the waitlist" + late + ": "
		default:
			n.Title = "Prebooking failed" + late + ": "
		}
		n.Title += classTitle(e.Prebooking)
	case PlanOccurrence:
		return planNotification(n, e), true
	case PrebookingNotStored:
		// The outcome is real even if the database could not keep it.
		n.Event, n.Outcome = "prebooking_not_stored", string(e.Prebooking.Status)
		n.prebooking(e.Prebooking)
		n.Title = "Outcome not saved (" + string(e.Prebooking.Status) + "): " + classTitle(e.Prebooking)
	case WindowRuleWrong:
		n.Event, n.Outcome = "window_rule_wrong", "warning"
		n.prebooking(e.Prebooking)
		n.Code, n.Reason, n.Attempts = "", "", 0
		n.Title = "Booking-window rule of " + e.Box + " is wrong: AimHarder says " + e.ServerRule
	case ZoneSuspected:
		n.Event, n.Outcome = "zone_suspected", "warning"
		n.prebooking(e.Prebooking)
		n.Code, n.Reason, n.Attempts = "", "", 0
		n.Title = "Time zone of " + e.Box + " looks wrong: it opened " + strconv.Itoa(e.Hours) + " h later than computed"
	case PrebookingMissed:
		n.Event, n.Outcome = "prebooking_missed", "missed"
		n.prebooking(e.Prebooking)
		n.Title = "Prebooking missed: " + classTitle(e.Prebooking)
	case PrebookingLate:
		n.Event, n.Outcome = "prebooking_late", "late"
		n.prebooking(e.Prebooking)
		n.Late = true
		n.Title = "Firing late: " + classTitle(e.Prebooking)
	case ClassWatchOutcome:
		n.classWatch(e)
	case SessionDead:
		n.Event, n.Outcome, n.Session = "session_dead", "session_dead", string(e.Kind)
		n.Reason = e.Reason
		n.Title = "AimHarder session expired: prebookings need a login"
	case HealthWarning:
		if e.Resolved {
			n.Event, n.Outcome, n.Title = "health_resolved", "resolved", "Prebookings no longer at risk"
		} else {
			n.Event, n.Outcome, n.Title = "health_warning", "warning", "Prebookings at risk: log in to ahtui"
			n.Reason = e.Problem
		}
	default:
		return Notification{}, false
	}
	return n, true
}

func (n *Notification) prebooking(p session.Prebooking) {
	n.PrebookingID, n.ClassID, n.Class, n.boxID = p.ID, p.ClassID, p.ClassName, p.BoxID
	n.Day = p.Day.String()
	if !p.ClassStart.IsZero() {
		n.Start = p.ClassStart.Format("15:04")
		n.StartsAt = p.ClassStart.Format(time.RFC3339)
		n.start = p.ClassStart
	}
	// Reason: the code in English words (localize rewrites it in the
	// member's language), then AimHarder's own words.
	n.ReservationID, n.Code = p.ReservationID, p.OutcomeCode
	n.Reason = outcome.Reason(string(p.Status), p.OutcomeCode, p.OutcomeMessage, outcome.EN)
	n.Attempts, n.Late = p.Attempts, p.Late
	if p.Late && p.LateKnown() {
		n.LateMS = p.LateBy.Milliseconds()
	}
}

// notifier runs notify_command for the events of one runner. It has its
// own subscription (the broker never waits for it), a bounded queue, and
// one command at a time; it holds no lease and no lock of the runner's,
// so a slow command can delay only the notifications behind it. A failed
// run is logged and not retried.
type notifier struct {
	store  *session.Store
	log    *slog.Logger
	cfg    NotifyConfig
	leader func() bool

	sub   *Subscription
	queue chan Notification
	kill  context.CancelFunc // ends the running command and skips the rest
	ctx   context.Context
	done  sync.WaitGroup

	// The reader goroutine's own state.
	healthSent   time.Time
	healthActive bool
	// Session news heard while not leading, delivered if this runner
	// becomes the leader: at start, the keeper and the health check may
	// speak before the lease is won.
	heldDead     *SessionDead
	heldHealth   *HealthWarning
	streamLeader bool
}

// startNotifier subscribes to events and starts delivering. Session-health
// news is published by every runner, and only the leader's is delivered
// (so two processes on one database do not both notify); the LeaderChanged
// events say when this runner leads, and leader (the runner's own word) is
// the fallback should the subscription have lost some. Prebooking events
// come only from the runner that fired, so they are always delivered.
func startNotifier(events *Broker, store *session.Store, log *slog.Logger, cfg NotifyConfig, leader func() bool) *notifier {
	cfg = cfg.withDefaults()
	n := &notifier{store: store, log: log, cfg: cfg, leader: leader,
		sub: events.Subscribe(DefaultSubscriberBuffer), queue: make(chan Notification, cfg.Queue)}
	// Not the runner's context: a shutdown must not kill a notification
	// under way at once (stop gives it the grace period).
	n.ctx, n.kill = context.WithCancel(context.Background())
	n.done.Go(n.read)
	n.done.Go(n.work)
	return n
}

// stop delivers what was published before it was called, for at most the
// grace period, then kills the command still running and drops the rest.
func (n *notifier) stop() {
	n.sub.Close()
	timer := time.AfterFunc(n.cfg.Grace, n.kill)
	n.done.Wait()
	timer.Stop()
	n.kill()
	if d := n.sub.Dropped(); d > 0 {
		n.log.Warn("notify: events were missed while the notifier was busy", "dropped", d)
	}
}

// read filters the events and queues their notifications without ever
// waiting: a full queue drops the notification (logged).
func (n *notifier) read() {
	defer close(n.queue)
	for e := range n.sub.Events() {
		if lc, ok := e.(LeaderChanged); ok {
			n.streamLeader = lc.Leader
			if lc.Leader {
				n.releaseHeld()
			}
			continue
		}
		n.offer(e)
	}
}

// leading tells whether the runner led when the event being read was
// published: the LeaderChanged events in the same stream say so in
// order. Should the stream have lost events, the runner's word now is
// the best there is.
func (n *notifier) leading() bool {
	if n.sub.Dropped() > 0 {
		return n.leader()
	}
	return n.streamLeader
}

func (n *notifier) offer(e Event) {
	if !n.wanted(e) {
		return
	}
	note, ok := notificationOf(e)
	if !ok {
		return
	}
	select {
	case n.queue <- note:
	default:
		n.log.Warn("notify: queue full, notification dropped", "event", note.Event, "title", note.Title)
	}
}

// releaseHeld offers the session news held while this runner did not lead.
func (n *notifier) releaseHeld() {
	if d := n.heldDead; d != nil {
		n.heldDead = nil
		n.offer(*d)
	}
	if h := n.heldHealth; h != nil {
		n.heldHealth = nil
		n.offer(*h)
	}
}

// wanted applies the leader rule and spaces repeated health warnings.
func (n *notifier) wanted(e Event) bool {
	switch e := e.(type) {
	case PrebookingOutcome:
		// A plan's prebooking is reported as its occurrence
		// (plan_occurrence), once its fallbacks are through.
		return e.Prebooking.PlanID == 0
	case PrebookingMissed:
		return e.Prebooking.PlanID == 0
	case PrebookingLate:
		return e.Prebooking.PlanID == 0
	case SessionDead:
		// The background session is the one prebookings need; the device
		// session is the TUI's, and the TUI shows its expiry itself.
		if e.Kind != session.KindBackground {
			return false
		}
		if !n.leading() {
			n.heldDead = &e
			return false
		}
		return true
	case SessionRelogged:
		if e.Kind == session.KindBackground {
			n.heldDead = nil
		}
		return false
	case HealthWarning:
		if !n.leading() {
			if e.Resolved {
				n.heldHealth = nil
			} else {
				n.heldHealth = &e
			}
			return false
		}
		if e.Resolved {
			was := n.healthActive
			n.healthActive = false
			return was
		}
		if n.healthActive && e.At.Sub(n.healthSent) < healthRenotify {
			return false
		}
		n.healthActive, n.healthSent = true, e.At
	}
	return true
}

func (n *notifier) work() {
	for note := range n.queue {
		if n.ctx.Err() != nil {
			n.log.Warn("notify: not sent, ahtui is stopping", "event", note.Event, "title", note.Title)
			continue
		}
		n.deliver(note)
	}
}

// deliver runs notify_command once for note, if one is set.
func (n *notifier) deliver(note Notification) {
	readCtx, cancel := context.WithTimeout(n.ctx, 10*time.Second)
	command, ok, err := n.store.Setting(readCtx, session.SettingNotifyCommand)
	if err == nil && ok && strings.TrimSpace(command) != "" {
		loc := notifyZone(readCtx, n.store, &note)
		note.inZone(loc)
		setting, _, _ := n.store.Setting(readCtx, session.SettingLanguage)
		note.localize(notifyLang(setting, n.cfg.Getenv), loc)
	}
	cancel()
	if err != nil {
		n.log.Warn("notify: cannot read notify_command", "err", err)
		return
	}
	if !ok || strings.TrimSpace(command) == "" {
		return
	}
	start := time.Now()
	res := runNotifyCommand(n.ctx, command, note, n.cfg.Timeout)
	took := time.Since(start).Round(time.Millisecond)
	attrs := []any{"event", note.Event, "outcome", note.Outcome, "took", took}
	switch {
	case res.timedOut:
		n.log.Warn("notify_command took too long and was stopped", append(attrs, "timeout", n.cfg.Timeout)...)
	case res.stopped:
		n.log.Warn("notify_command stopped: ahtui is shutting down", attrs...)
	case res.err != nil:
		n.log.Warn("notify_command failed", append(attrs, "status", res.err, "stderr", res.stderr)...)
	case took > notifySlow:
		n.log.Warn("notify_command is slow", attrs...)
	default:
		n.log.Info("notify_command ran", attrs...)
	}
}

// notifyZone fills in the notification's box and returns the zone its
// times are shown in: its box's, or the current box's when it has none.
func notifyZone(ctx context.Context, store *session.Store, note *Notification) *time.Location {
	if note.boxID != 0 {
		if box, err := store.Box(ctx, note.boxID); err == nil {
			note.Box, note.BoxName = box.Subdomain, strings.TrimSpace(box.Name)
			return box.LocationOrDefault()
		}
	}
	zones, _ := store.Zones(ctx)
	return zones.Of(note.boxID)
}

type notifyResult struct {
	err               error  // how it failed: an exit status, or why it could not start
	stderr            string // the last line it wrote on stderr, scrubbed
	timedOut, stopped bool
}

// runNotifyCommand runs command through the shell (shellcmd.Run) with
// note in the environment and as JSON on stdin; its standard output is
// discarded. On timeout, or when ctx ends, its whole process group is
// killed.
func runNotifyCommand(ctx context.Context, command string, note Notification, timeout time.Duration) notifyResult {
	payload, err := json.Marshal(note)
	if err != nil {
		return notifyResult{err: err}
	}
	out, err := shellcmd.Run(ctx, command, shellcmd.Options{
		Name:      "notify_command",
		Timeout:   timeout,
		WaitDelay: notifyWaitDelay,
		Env:       note.env(),
		Stdin:     bytes.NewReader(append(payload, '\n')),
	})
	res := notifyResult{stderr: scrubLine(out.Stderr)}
	var ee *shellcmd.ExitError
	switch {
	case err == nil:
	case errors.Is(err, shellcmd.ErrTimedOut):
		res.timedOut = true
	case errors.Is(err, shellcmd.ErrStopped):
		res.stopped = true
	case errors.As(err, &ee):
		res.err = errors.New(ee.Status)
	default:
		res.err = err
	}
	return res
}

var (
	// A URL keeps its host: paths and queries carry bot tokens and topics.
	urlPath = regexp.MustCompile(`(https?://[^/\s?#]+)[^\s]*`)
	// Long opaque runs look like tokens or keys.
	tokenLike = regexp.MustCompile(`[A-Za-z0-9_:\-]{24,}`)
)

// scrubLine shortens a line of the command's error output for the log,
// without what could be a secret of the member's (their command may put a
// Telegram bot token or an ntfy topic in a URL).
func scrubLine(s string) string {
	s = urlPath.ReplaceAllString(s, "$1/…")
	s = tokenLike.ReplaceAllString(s, "[…]")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
