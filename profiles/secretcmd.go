package profiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// runSecretCmd runs a cmd: reference's command through the shell and returns its standard output,
// less one trailing newline. A failure says the exit status and what the command wrote on standard
// error; the command is killed, with its children, when the timeout passes or ctx ends.
func (s *Secrets) runSecretCmd(ctx context.Context, command string) (string, error) {
	if strings.TrimSpace(command) == "" {
		return "", errors.New("cmd: needs a command, such as cmd:pass show acme/client")
	}
	timeout := s.CmdTimeout
	if timeout <= 0 {
		timeout = DefaultCmdTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := shellCommand(ctx, command)
	var stdout, stderr bytes.Buffer
	c.Stdout = &limitedWriter{w: &stdout, n: maxSecretSize + 1}
	c.Stderr = &limitedWriter{w: &stderr, n: 4 << 10}
	// The command's own children may keep its pipes open after it is killed: stop waiting for them.
	c.WaitDelay = time.Second
	err := c.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return "", fmt.Errorf("the command %q did not finish within %s and was stopped%s", command, timeout, stderrNote(stderr.String()))
	case ctx.Err() != nil:
		return "", ctx.Err()
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("the command %q failed (%s)%s", command, ee.ProcessState, stderrNote(stderr.String()))
		}
		return "", fmt.Errorf("the command %q could not run: %w", command, err)
	case stdout.Len() > maxSecretSize:
		return "", fmt.Errorf("the command %q printed more than %d bytes: not a client secret", command, maxSecretSize)
	}
	v := trimNewline(stdout.String())
	if v == "" {
		return "", fmt.Errorf("the command %q printed nothing on its standard output%s", command, stderrNote(stderr.String()))
	}
	return v, nil
}

// stderrNote quotes what a command wrote on standard error, if anything.
func stderrNote(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return ": " + s
}

// limitedWriter keeps the first n bytes written and discards the rest, so a runaway command cannot
// fill memory; it never fails, so the command is not killed by a broken pipe.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k]) //nolint:errcheck // a bytes.Buffer
		l.n -= k
	}
	return len(p), nil
}

// readLimited reads r up to limit bytes; more is an error.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes: not a client secret", limit)
	}
	return data, nil
}
