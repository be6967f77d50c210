package profilescreen

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The tenant doctor on the selected profile (D): flows.Diagnose, as `tokenbench doctor --profile`
// runs it — no login and nothing changed on the tenant — with its findings shown here.

// doctorTimeout bounds a diagnosis: every probe has the transport's own timeout too.
const doctorTimeout = 2 * time.Minute

// doctorDoneMsg is a diagnosis of a profile, or why none could be made.
type doctorDoneMsg struct {
	reqID int
	name  string
	diag  flows.Diagnosis
	err   error
}

// diagnoseProfile resolves the profile as every command does (profiles.Resolve) and diagnoses its
// tenant with a client of its own: the probes are not the session's traffic.
func diagnoseProfile(ctx context.Context, p profiles.Profile, sec *profiles.Secrets, id int) tea.Cmd {
	return func() tea.Msg {
		cfg, opts, err := profiles.Resolve(ctx, p, sec, profiles.Run{})
		if err != nil {
			return doctorDoneMsg{reqID: id, name: p.Name, err: err}
		}
		c, err := flows.NewClient(cfg, opts)
		if err != nil {
			return doctorDoneMsg{reqID: id, name: p.Name, err: err}
		}
		return doctorDoneMsg{reqID: id, name: p.Name, diag: flows.Diagnose(ctx, c, flows.DoctorOptions{})}
	}
}

// diagnoseSelected starts the doctor on the selected profile.
func (s Model) diagnoseSelected() (Model, tea.Cmd) {
	r, ok := s.selected()
	if !ok {
		return s, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), doctorTimeout)
	s, tick := s.startOp(opDoctor, cancel)
	return s, tea.Batch(tick, diagnoseProfile(ctx, r.p, s.c.Secrets, s.reqID))
}

// onDiagnosed shows the diagnosis (esc returns to the list), or why there is none.
func (s Model) onDiagnosed(msg doctorDoneMsg) (Model, tea.Cmd) {
	if msg.reqID != s.reqID || s.op != opDoctor {
		return s, nil // cancelled, or superseded
	}
	s = s.endOp()
	if msg.err != nil {
		s.failure = msg.err
		return s, nil
	}
	s.doctor, s.doctorName, s.mode, s.doctorTop = msg.diag, msg.name, modeDoctor, 0
	return s, nil
}

// handleDoctorKey scrolls the diagnosis (↑/↓, a line; pgup/pgdown, a page) or closes it.
func (s Model) handleDoctorKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	page := max(1, s.height-2)
	switch {
	case key.Matches(msg, s.keys.Cancel, s.keys.Submit):
		s.mode = modeList
	case key.Matches(msg, s.keys.Up):
		s.doctorTop--
	case key.Matches(msg, s.keys.Down):
		s.doctorTop++
	case msg.String() == "pgup":
		s.doctorTop -= page
	case msg.String() == "pgdown", msg.String() == "space":
		s.doctorTop += page
	}
	s.doctorTop = max(0, min(s.doctorTop, s.doctorLines()-s.height))
	return s, nil
}

// doctorLines is how many lines the diagnosis takes at the screen's width.
func (s Model) doctorLines() int { return strings.Count(s.doctorText(), "\n") + 1 }

// doctorView is the diagnosis from the line the user scrolled to.
func (s Model) doctorView() string {
	lines := strings.Split(s.doctorText(), "\n")
	return strings.Join(lines[min(s.doctorTop, len(lines)-1):], "\n")
}

// doctorText is the whole diagnosis: each area's findings as ✓ / ✗ / ?, what a failure means and
// what to do. Every summary is the provider's word or built from it: shown through the sanitiser.
func (s Model) doctorText() string {
	st := s.c.Styles
	w := s.width
	d := s.doctor
	failed := len(d.Failed())
	head := st.Title.Render("Doctor — "+s.c.Untrusted(s.doctorName)) + "  " + st.Muted.Render(ui.CountNoun(len(d.Findings), "finding"))
	verdict := st.Pass.Render("✓ nothing failed")
	if failed > 0 {
		verdict = st.Fail.Render("✗ " + ui.CountNoun(failed, "failure"))
	}
	lines := []string{ui.Truncate(head+"  "+verdict, w), ""}
	area := ""
	for _, f := range d.Findings {
		if f.Area != area {
			area = f.Area
			lines = append(lines, st.Label.Render(strings.ReplaceAll(area, "_", " ")))
		}
		mark := st.Pass.Render("  ✓ ")
		switch f.Status {
		case flows.FindingFailed:
			mark = st.Fail.Render("  ✗ ")
		case flows.FindingUnknown:
			mark = st.Warn.Render("  ? ")
		case flows.FindingOK:
		}
		lines = append(lines, mark+ui.WrapHanging(s.c.Untrusted(f.Summary), w-4, "    "))
		if f.Status != flows.FindingOK {
			for _, more := range []string{f.Meaning, f.Action} {
				if more != "" {
					lines = append(lines, "    "+st.Muted.Render(ui.WrapHanging(s.c.Untrusted(more), w-4, "    ")))
				}
			}
			if ex := ui.Explanation(f.Code); ex != "" {
				lines = append(lines, "    "+st.ErrorCode.Render(ui.WrapHanging(s.c.Untrusted(f.Code)+": "+ex, w-4, "    ")))
			}
		}
	}
	lines = append(lines, "", st.KeyHint.Render("↑/↓ scroll · esc returns to the list · tokenbench doctor --profile "+s.c.Untrusted(s.doctorName)+" --save-report FILE.md writes it for a ticket"))
	return strings.Join(lines, "\n")
}
