package profilescreen

import (
	"context"
	"net/url"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// A new profile by dynamic client registration (RFC 7591): the issuer is typed and discovered as
// for "From a discovery URL"; enter then registers a client at its registration_endpoint with the
// metadata `tokenbench register` asks for by default, and the form opens on the client granted, its
// secret filled in to be kept in the keyring when the profile is saved. A provider that wants an
// initial access token refuses; `tokenbench register --initial-access-token` takes one.

// clientRegisteredMsg is the registration's answer.
type clientRegisteredMsg struct {
	reqID  int
	issuer string
	reg    *flows.Registration
	err    error
}

// registerTimeout bounds the registration.
const registerTimeout = 20 * time.Second

// registerClient registers a client at the issuer's registration endpoint, with a client of its
// own: this is not the session's traffic.
func registerClient(ctx context.Context, issuer string, id int) tea.Cmd {
	return func() tea.Msg {
		c, err := flows.NewClient(flows.ClientConfig{Issuer: issuer}, flows.TransportOptions{Timeout: 15 * time.Second})
		if err != nil {
			return clientRegisteredMsg{reqID: id, issuer: issuer, err: err}
		}
		endpoint, err := c.RegistrationEndpoint(ctx)
		if err != nil {
			return clientRegisteredMsg{reqID: id, issuer: issuer, err: err}
		}
		reg, err := c.Register(ctx, endpoint, flows.DefaultRegistration(), "")
		return clientRegisteredMsg{reqID: id, issuer: issuer, reg: reg, err: err}
	}
}

// startRegistration registers a client at the discovered issuer.
func (s Model) startRegistration() (Model, tea.Cmd) {
	ctx, cancel := context.WithTimeout(context.Background(), registerTimeout)
	s.discovery.err = nil
	s, tick := s.startOp(opRegister, cancel)
	return s, tea.Batch(tick, registerClient(ctx, s.discoveredIssuer(), s.reqID))
}

// onRegistered opens the form on the client registered, or shows why there is none.
func (s Model) onRegistered(msg clientRegisteredMsg) (Model, tea.Cmd) {
	if msg.reqID != s.reqID || s.op != opRegister {
		return s, nil
	}
	s = s.endOp()
	if msg.err != nil {
		s.discovery.err = msg.err
		return s, nil
	}
	name := "registered"
	if u, err := url.Parse(msg.issuer); err == nil && profiles.ValidateName(u.Hostname()) == nil {
		name = u.Hostname()
	}
	p := profiles.FromRegistration(s.freeName(name), msg.issuer, msg.reg)
	var cmd tea.Cmd
	s.form, cmd = newProfileForm(s.c, p, true)
	if i := s.form.index(fieldSecretValue); i >= 0 && msg.reg.ClientSecret != "" {
		s.form.fields[i].input.SetValue(msg.reg.ClientSecret)
		s.form.dirty = true
	}
	s.form.found = s.discovery.meta
	s.mode = modeForm // its notes say the client was registered, and where it is managed
	return s, cmd
}
