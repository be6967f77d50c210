package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// TestProxyFromEnvironment runs tokenbench as a process with HTTP_PROXY set: every request to the
// (unresolvable) provider host goes through the proxy, unless NO_PROXY names the host.
func TestProxyFromEnvironment(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != "idp.example.test" { // a proxy sees the absolute URL
			http.Error(w, "unexpected "+r.URL.String(), http.StatusBadGateway)
			return
		}
		proxied.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			w.Write([]byte(`{"issuer":"http://idp.example.test","token_endpoint":"http://idp.example.test/token"}`))
		case "/token":
			w.Write([]byte(`{"access_token":"via-proxy","token_type":"Bearer"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer proxy.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := func(env ...string) (string, string, error) {
		cmd := newHelperCommand(exe, helperMain, "token", "--grant", "client_credentials", "--issuer", "http://idp.example.test",
			"--client-id", "app", "--client-secret", "s", "--timeout", "5s")
		cmd.Env = append(os.Environ(), env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	stdout, stderr, err := run("HTTP_PROXY="+proxy.URL, "NO_PROXY=")
	if err != nil || !strings.Contains(stdout, "via-proxy") || proxied.Load() != 2 {
		t.Fatalf("through the proxy: err=%v proxied=%d\nstdout: %s\nstderr: %s", err, proxied.Load(), stdout, stderr)
	}
	_, stderr, err = run("HTTP_PROXY="+proxy.URL, "NO_PROXY=idp.example.test")
	if err == nil || proxied.Load() != 2 {
		t.Fatalf("NO_PROXY should bypass the proxy: err=%v proxied=%d\nstderr: %s", err, proxied.Load(), stderr)
	}
}
