package tui

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// flowClock is the fixed time of the flow tests: the provider, the client and the TUI share it, so
// that every time shown (iat, exp, countdowns) is the same on every run.
var flowClock = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func flowNow() time.Time { return flowClock }

// flowProvider starts the built-in provider with faults on the fixed clock.
func flowProvider(t *testing.T, faults ...string) *demoidp.Provider {
	t.Helper()
	return flowProviderWith(t, demoidp.Options{}, faults...)
}

func flowProviderWith(t *testing.T, opts demoidp.Options, faults ...string) *demoidp.Provider {
	t.Helper()
	opts.Now = flowNow
	p, err := demoidp.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	var f demoidp.Faults
	for _, name := range faults {
		if err := f.Set(name); err != nil {
			t.Fatal(err)
		}
	}
	p.SetFaults(f)
	return p
}

// flowClient is the demo's client (demo-basic, loopback redirect) on the provider.
func flowClient(t *testing.T, p *demoidp.Provider, redirect string) *flows.Client {
	t.Helper()
	cfg := flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: "demo-basic", ClientSecret: "demo-basic-secret",
		AuthMethod: flows.AuthClientSecretBasic, RedirectURI: redirect,
		Scopes: []string{"openid", "profile", "email", "offline_access"},
	}
	c, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.Now = flowNow
	return c
}

// flowBrowser plays the user's browser: it GETs the URL and follows the redirects, up to the
// loopback listener (the demo user is always signed in and approves).
func flowBrowser(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// flowScrubbers replace what changes from run to run: ports, key ids, random values.
var flowScrubbers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`kid "[^"\n]*"`), `kid "KID"`},
	{regexp.MustCompile(`(nonce|at_hash|c_hash) "[^"\n]*"`), `$1 "RANDOM"`},
	{regexp.MustCompile(`(state|nonce|code_challenge|user_code)=[A-Za-z0-9_%.~-]+`), "$1=RANDOM"},
	{regexp.MustCompile(`[B-Z] [B-Z] [B-Z] [B-Z] - [B-Z] [B-Z] [B-Z] [B-Z]`), "X X X X - X X X X"},
	{regexp.MustCompile(`\b[B-Z]{4}-[B-Z]{4}\b`), "XXXX-XXXX"},
	{regexp.MustCompile(`\d+ chars`), "N chars"},
	{regexp.MustCompile(`\b[A-Z2-7]{26}\b`), "RANDOM"},
}

func flowScrub(s string) string {
	for _, sc := range flowScrubbers {
		s = sc.re.ReplaceAllString(s, sc.with)
	}
	return s
}

// flowOptions are the app's options for a test on client c.
func flowOptions(c *flows.Client, open func(string) error) Options {
	return Options{Client: c, Name: "demo-basic @ test", Note: "test provider", OpenBrowser: open, Now: flowNow, Scrub: flowScrub}
}

// flowCommon is a shared context on client c, sized w×h, for Update tests of the stepper alone.
func flowCommon(c *flows.Client, open func(string) error, w, h int) *common {
	return &common{
		st: newStyles(true), isDark: true, width: w, height: h, client: c, now: flowNow,
		openBrowser: open, scrub: flowScrub,
	}
}

// press is a key press as the terminal sends it.
func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// flowRunner drives a flowModel as the program would: it calls Update on the test's goroutine
// only, runs every returned command on its own goroutine, and feeds the messages back in the order
// they arrive. Spinner and clock ticks are not fed back (they only re-arm themselves), and nor are
// the program's own messages (clipboard …). announced collects what the stepper announced.
type flowRunner struct {
	t         *testing.T
	s         flowModel
	msgs      chan tea.Msg
	wg        sync.WaitGroup
	announced []tea.Msg
}

func newFlowRunner(t *testing.T, c *common) *flowRunner {
	s, _ := newFlow(c).(flowModel)
	return &flowRunner{t: t, s: s, msgs: make(chan tea.Msg, 64)}
}

// send hands msg to Update and starts the command it returns.
func (r *flowRunner) send(msg tea.Msg) {
	var cmd tea.Cmd
	var sc screen
	sc, cmd = r.s.Update(msg)
	r.s = sc.(flowModel)
	r.start(cmd)
}

func (r *flowRunner) start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				r.start(c)
			}
			return
		}
		if msg != nil {
			r.msgs <- msg
		}
	}()
}

// until feeds messages back until cond holds, failing after timeout.
func (r *flowRunner) until(what string, cond func(flowModel) bool) {
	r.t.Helper()
	deadline := time.After(15 * time.Second)
	for !cond(r.s) {
		select {
		case msg := <-r.msgs:
			switch msg.(type) {
			case spinner.TickMsg, clockTickedMsg:
				continue
			case tokensReceivedMsg:
				r.announced = append(r.announced, msg)
				continue
			}
			if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
				continue
			}
			r.send(msg)
		case <-deadline:
			r.t.Fatalf("timed out waiting for %s; screen:\n%s", what, r.s.View())
		}
	}
}

// runStep selects a step, presses enter, and waits for it to end (done or failed).
func (r *flowRunner) runStep(id stepID) {
	r.t.Helper()
	r.s.cursor = id
	r.send(press("enter"))
	r.until(id.title()+" to finish", func(s flowModel) bool {
		st := s.steps[id].state
		return st == stateDone || st == stateFailed
	})
}

// viewText is the stepper's view without escape codes.
func (r *flowRunner) viewText() string { return stripANSI(r.s.View()) }

// stateOf names the states of all steps, for failure messages and assertions.
func (s flowModel) states() string {
	var b strings.Builder
	for id := stepID(0); id < numSteps; id++ {
		fmt.Fprintf(&b, "%s=%d ", id.name(), s.steps[id].state)
	}
	return b.String()
}

func stripANSI(s string) string { return ansi.Strip(s) }

// redirectOf follows an authorization URL until the provider redirects outside itself, and returns
// that redirect: what a customer's browser would end on.
func redirectOf(t *testing.T, u string) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for range 10 {
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("no redirect from %s (HTTP %d)", u, resp.StatusCode)
		}
		if !strings.HasPrefix(loc.String(), "http://127.0.0.1") {
			return loc.String()
		}
		u = loc.String()
	}
	t.Fatal("too many redirects")
	return ""
}

func pasteMsgOf(s string) tea.PasteMsg { return tea.PasteMsg{Content: s} }
