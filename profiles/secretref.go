package profiles

import (
	"errors"
	"fmt"
	"strings"
)

// SecretRef says where a client secret is kept, as KIND:TARGET:
//
//	keyring:          the OS keyring, service "tokenbench", account = the profile's name
//	keyring:ACCOUNT   the OS keyring, that account
//	env:NAME          the environment variable NAME, read at run time
//	file:PATH         the file's content, less one trailing newline
//	cmd:COMMAND       the output of COMMAND run by the shell (sh -c; cmd /C on Windows), less one
//	                  trailing newline: for password managers (cmd:pass show acme/client)
//	plain:VALUE       the secret itself, in clear: only with Profile.AllowPlainSecret
//
// String masks a plain: value, so that printing a SecretRef never shows a secret; string(ref) is
// the reference as stored.
type SecretRef string

// SecretKind is the part of a SecretRef before the colon.
type SecretKind string

// The kinds of secret reference.
const (
	SecretKeyring SecretKind = "keyring"
	SecretEnv     SecretKind = "env"
	SecretFile    SecretKind = "file"
	SecretCmd     SecretKind = "cmd"
	SecretPlain   SecretKind = "plain"
)

// SecretKinds lists the kinds of reference, plain last.
func SecretKinds() []SecretKind {
	return []SecretKind{SecretKeyring, SecretEnv, SecretFile, SecretCmd, SecretPlain}
}

// Kind returns the reference's kind, or "" when it has none of the known prefixes.
func (r SecretRef) Kind() SecretKind {
	k, _, ok := strings.Cut(string(r), ":")
	if !ok {
		return ""
	}
	for _, known := range SecretKinds() {
		if SecretKind(k) == known {
			return known
		}
	}
	return ""
}

// Target is the part after the colon: the account, variable name, path or command (or, for
// plain:, the secret itself).
func (r SecretRef) Target() string {
	_, t, _ := strings.Cut(string(r), ":")
	return t
}

// KeyringAccount is the keyring account a keyring: reference names: its own, or profileName.
func (r SecretRef) KeyringAccount(profileName string) string {
	if a := r.Target(); a != "" {
		return a
	}
	return profileName
}

// Masked is the reference safe to show: a plain: secret is replaced by asterisks, the other
// kinds are shown as they are (they hold no secret).
func (r SecretRef) Masked() string {
	if r.Kind() == SecretPlain {
		return "plain:********"
	}
	return string(r)
}

// String is Masked, so that a reference printed by mistake never shows a secret.
func (r SecretRef) String() string { return r.Masked() }

// portableEnvName reports whether name is a portable environment variable name: letters, digits
// and _, not starting with a digit. (By hand, not a regexp: a listing checks every reference.)
func portableEnvName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}

// ParseSecretRef checks a reference typed by a user (`--client-secret-ref`). It accepts a bare
// "keyring" for "keyring:". Its errors never repeat the text, which may be a secret pasted by
// mistake.
func ParseSecretRef(s string) (SecretRef, error) {
	s = strings.TrimSpace(s)
	if s == string(SecretKeyring) {
		s += ":"
	}
	r := SecretRef(s)
	if r.Kind() == SecretPlain {
		return "", errors.New("a plain: reference keeps the secret in clear in the profile file: use --plain-secret to do that on purpose, or keyring:, env:NAME, file:PATH, cmd:COMMAND")
	}
	return r, r.check(false)
}

// check verifies the reference's form; a plain: one needs allowPlain.
func (r SecretRef) check(allowPlain bool) error {
	target := r.Target()
	switch r.Kind() {
	case SecretKeyring:
		if strings.TrimSpace(target) != target || strings.ContainsAny(target, "\r\n\t") {
			return errors.New("keyring: the account name has spaces or control characters around it")
		}
	case SecretEnv:
		if !portableEnvName(target) {
			return fmt.Errorf("env: needs a variable name such as env:ACME_CLIENT_SECRET, got %q", target)
		}
	case SecretFile:
		if strings.TrimSpace(target) == "" {
			return errors.New("file: needs a path, such as file:~/.config/acme/secret")
		}
	case SecretCmd:
		if strings.TrimSpace(target) == "" {
			return errors.New("cmd: needs a command, such as cmd:pass show acme/client")
		}
	case SecretPlain:
		if !allowPlain {
			return errors.New("a plain: secret is kept in clear in the file; that needs allow_plain_secret: true (tokenbench profile edit NAME --plain-secret …), or better a keyring:, env:, file: or cmd: reference")
		}
		if target == "" {
			return errors.New("plain: holds no secret")
		}
	default:
		return errors.New("not a secret reference: it must start with keyring:, env:, file: or cmd: (the secret itself never goes in the profile file)")
	}
	return nil
}
