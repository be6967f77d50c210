// Package inspector is the Inspector screen: the session's tokens, or one pasted in, decoded,
// explained and validated.
package inspector

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The inspector shows any token of the session, or one pasted in: its header and claims, each
// registered one explained (assets.Claim), its times as UTC dates and relative to now with a live
// countdown, and every validation check. After a refresh it shows the new token beside the one it
// replaced. tokens.go derives the slots (one per token) in Update; view.go and tables.go render
// them; commands.go validates a token.

// inspectClockTag tags the inspector's countdown ticks (ClockTickedMsg is broadcast to every
// screen; the flow screen's countdowns use non-negative tags).
const inspectClockTag = -1

// verifyTimeout bounds a validation, which may fetch the provider's JWKS.
const verifyTimeout = 15 * time.Second

// pastedLabel names the slot of a token pasted in.
const pastedLabel = "pasted"

// Model is the inspector screen.
type Model struct {
	c       *ui.Common
	keys    inspectKeys
	slots   []tokenSlot
	sel     int
	input   textinput.Model
	editing bool
	// filter narrows the claims and header tables (filter.go).
	filter  textinput.Model
	now     time.Time
	ticking bool
	// bodyClock is clockText when layout last drew the body: a tick draws the body again only when
	// it changes and the inspector is on show, the countdown above it being drawn by View.
	bodyClock string
	reqID     int
	status    string
	vp        viewport.Model
	// body is vp's view, drawn whenever vp changes: View, which runs after every message (a tick
	// each second), would otherwise measure every line of the body again, thousands for a large
	// token.
	body   string
	width  int
	height int
}

func New(c *ui.Common) ui.Screen {
	in := textinput.New()
	in.Prompt = "token> "
	in.Placeholder = ui.Hint("paste a JWT or an opaque token")
	in.SetStyles(c.Styles.Input)
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	vp := viewport.New()
	vp.SoftWrap = true
	vp.MouseWheelEnabled = true
	vp.KeyMap = viewport.KeyMap{} // the inspector's own keys scroll it
	return Model{c: c, keys: defaultInspectKeys(), input: in, filter: newFilterInput(c), now: c.Now(), vp: vp}
}

// CapturingText keeps single-letter global keys away while a token is being typed or pasted.
func (s Model) CapturingText() bool { return s.editing || s.filter.Focused() }

// ShowsTime says the inspector takes ticks: its expiry countdown.
func (s Model) ShowsTime() {}

// Update handles the inspector's messages.
func (s Model) Update(msg tea.Msg) (ui.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return s.resize(msg), nil
	case tea.BackgroundColorMsg:
		s.input.SetStyles(s.c.Styles.Input)
		s.filter.SetStyles(s.c.Styles.Input)
		return s.layout(), nil
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.PasteMsg:
		return s.onPaste(msg)
	case tea.MouseWheelMsg:
		s.vp, _ = s.vp.Update(msg)
		return s.drawBody(), nil
	case ui.TokensReceivedMsg:
		return s.onTokens(msg)
	case ui.NavigateMsg:
		return s.onNavigate(msg)
	case tokenVerifiedMsg:
		// A decrypted token's expiry is known only now: the countdown may start here.
		return s.onVerified(msg).startTicking()
	case ui.ClockTickedMsg:
		return s.onTick(msg)
	case ui.LearnToggledMsg, ui.SessionStartedMsg, ui.RevealToggledMsg:
		return s.layout(), nil
	}
	if s.editing {
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg) // the cursor's blink
		return s, cmd
	}
	return s, nil
}

func (s Model) resize(msg tea.WindowSizeMsg) Model {
	s.width, s.height = msg.Width, msg.Height
	s.input.SetWidth(max(10, msg.Width-len(s.input.Prompt)-2))
	return s.layout()
}

func (s Model) handleKey(msg tea.KeyPressMsg) (ui.Screen, tea.Cmd) {
	if s.editing {
		return s.handleEditKey(msg)
	}
	if s.filter.Focused() {
		return s.handleFilterKey(msg)
	}
	s.status = ""
	switch {
	case key.Matches(msg, s.keys.Filter) && len(s.slots) > 0:
		focus := s.filter.Focus()
		return s.layout(), focus
	case key.Matches(msg, s.keys.Paste):
		s.editing = true
		s.input.Reset()
		focus := s.input.Focus()
		return s.layout(), focus
	case key.Matches(msg, s.keys.Next):
		return s.selectSlot(s.sel + 1), nil
	case key.Matches(msg, s.keys.Prev):
		return s.selectSlot(s.sel - 1), nil
	case key.Matches(msg, s.keys.Copy):
		return s.copyToken()
	case key.Matches(msg, s.keys.Close):
		return s.closeSlot(), nil
	case key.Matches(msg, s.keys.Up):
		s.vp.ScrollUp(1)
	case key.Matches(msg, s.keys.Down):
		s.vp.ScrollDown(1)
	case key.Matches(msg, s.keys.PageUp):
		s.vp.PageUp()
	case key.Matches(msg, s.keys.PageDown):
		s.vp.PageDown()
	}
	return s.drawBody(), nil
}

func (s Model) handleEditKey(msg tea.KeyPressMsg) (ui.Screen, tea.Cmd) {
	switch {
	case key.Matches(msg, s.keys.Cancel):
		s.editing = false
		s.input.Blur()
		return s.layout(), nil
	case key.Matches(msg, s.keys.Submit):
		raw := s.input.Value()
		s.editing = false
		s.input.Blur()
		s.input.Reset()
		if strings.TrimSpace(raw) == "" {
			return s.layout(), nil
		}
		return s.pasteToken(raw)
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return s, cmd
}

// onPaste takes a bracketed paste: into the input while editing, else as a token to inspect.
func (s Model) onPaste(msg tea.PasteMsg) (ui.Screen, tea.Cmd) {
	if s.filter.Focused() {
		var cmd tea.Cmd
		s.filter, cmd = s.filter.Update(msg)
		return s.layout(), cmd
	}
	if s.editing {
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		return s, cmd
	}
	if strings.TrimSpace(msg.Content) == "" {
		return s, nil
	}
	return s.pasteToken(msg.Content)
}

// pasteToken shows a pasted token in a slot of its own ("pasted", "pasted 2" …), so that pasted
// tokens can be compared; the same token pasted again selects its slot.
func (s Model) pasteToken(raw string) (ui.Screen, tea.Cmd) {
	raw = strings.TrimSpace(raw)
	for i, sl := range s.slots {
		if sl.raw == raw {
			return s.selectSlot(i), nil
		}
	}
	label := pastedLabel
	for n := 2; slotIndex(s.slots, label) >= 0; n++ {
		label = pastedLabel + " " + strconv.Itoa(n)
	}
	return s.addToken(raw, label, "pasted in")
}

// closeSlot drops the selected token from the inspector (a flow token comes back with the flow's
// next tokens).
func (s Model) closeSlot() Model {
	if len(s.slots) == 0 {
		return s
	}
	s.status = "closed the " + s.slots[s.sel].label
	s.slots = append(s.slots[:s.sel:s.sel], s.slots[s.sel+1:]...)
	s.sel = min(s.sel, max(0, len(s.slots)-1))
	s.vp.GotoTop()
	return s.layout()
}

// onNavigate shows the token the flow asks to open, or the inspector just brought on show, whose
// body may be behind the clock and whose countdown stopped while hidden (onTick).
func (s Model) onNavigate(msg ui.NavigateMsg) (ui.Screen, tea.Cmd) {
	if msg.To != ui.InspectScreen {
		return s, nil
	}
	if msg.Token == "" {
		return s.catchUpClock().startTicking()
	}
	for i, sl := range s.slots {
		if sl.raw == msg.Token {
			return s.selectSlot(i), nil
		}
	}
	label := msg.Label
	if label == "" {
		label = "token"
	}
	return s.addToken(msg.Token, label, "opened from the flow")
}

func (s Model) selectSlot(i int) Model {
	if len(s.slots) == 0 {
		return s
	}
	s.sel = (i + len(s.slots)) % len(s.slots)
	s.vp.GotoTop()
	return s.layout()
}

// copyToken copies the selected token, when shown: what is masked on screen is not copied.
func (s Model) copyToken() (ui.Screen, tea.Cmd) {
	if len(s.slots) == 0 {
		return s, nil
	}
	sl := s.slots[s.sel]
	if !s.c.Reveal {
		s.status = "the token is masked: press s to show it, then c to copy it"
		return s.layout(), nil
	}
	s.status = ui.CopiedNote("the " + sl.label + ", " + ui.CountNoun(len(sl.raw), "character"))
	return s.layout(), s.c.Copy(sl.raw)
}
