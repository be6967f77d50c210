package browser

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCommands(t *testing.T) {
	t.Parallel()
	const u = "http://x/a?b=c"
	got := Commands("firefox:open -a Safari %s: :lynx --dump '%s'", u)
	want := [][]string{{"firefox", u}, {"open", "-a", "Safari", u}, {"lynx", "--dump", "'" + u + "'"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestOpenFromEnv: the first alternative that starts is used, and it receives the URL.
func TestOpenFromEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "url")
	script := filepath.Join(dir, "fake-browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+out+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "BROWSER" {
			return filepath.Join(dir, "missing") + ":" + script
		}
		return ""
	}
	if err := Open("http://127.0.0.1/x?y=1", env); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(out); err == nil && len(b) > 0 {
			if string(b) != "http://127.0.0.1/x?y=1" {
				t.Fatalf("browser got %q", b)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the browser from $BROWSER never ran")
}

func TestOpenFromEnvNoneStarts(t *testing.T) {
	t.Parallel()
	err := Open("http://x", func(string) string { return "/nonexistent/a:/nonexistent/b" })
	if err == nil || !strings.Contains(err.Error(), "$BROWSER") {
		t.Fatalf("err = %v", err)
	}
}

// TestOpenOnlyHTTP: URLs a hostile provider may name are never handed to an opener.
func TestOpenOnlyHTTP(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "fake-browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s' \"$1\" >> "+out+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "BROWSER" {
			return script
		}
		return ""
	}
	for _, u := range []string{"file:///etc/passwd", "javascript:alert(1)", `\\evil.example\share\x.exe`, "-a Calculator", "http:///nohost", "smb://evil.example/share", "FILE:///etc/shadow"} {
		err := Open(u, env)
		if err == nil || !strings.Contains(err.Error(), "only http and https URLs are opened") {
			t.Errorf("Open(%q) = %v, want it refused", u, err)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a refused URL reached the browser command")
	}
	for _, u := range []string{"https://idp.example/authorize?x=1", "HTTP://127.0.0.1:8080/device"} {
		if err := CheckURL(u); err != nil {
			t.Errorf("CheckURL(%q) = %v", u, err)
		}
	}
}
