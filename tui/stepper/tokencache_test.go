package stepper

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// memKeyring is a keyring in memory, for the cache's key.
type memKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *memKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.m[service+"/"+account]; ok {
		return v, nil
	}
	return "", profiles.ErrSecretNotFound
}

func (k *memKeyring) Set(service, account, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[service+"/"+account] = secret
	return nil
}

func (k *memKeyring) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, service+"/"+account)
	return nil
}

// cachedSession is a stepper on profile acme's client of p (client credentials), with the cache.
func cachedSession(t *testing.T, p *demoidp.Provider, cache *profiles.TokenCache) *flowRunner {
	t.Helper()
	c := flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 200)
	c.TokenCache, c.ProfileName, c.Grant = cache, "acme", "client_credentials"
	r := newFlowRunner(t, c)
	r.start(r.s.Init())
	return r
}

// TestFlowReusesCachedToken: a session on a profile without a cached token says so; the token the
// Token step obtains is cached, and the profile's next session starts with it on the Token step,
// without a request, and says so, as token --cached does.
func TestFlowReusesCachedToken(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	cache := profiles.NewTokenCache(t.TempDir(), &profiles.Secrets{Keyring: &memKeyring{m: map[string]string{}}, KeyringTimeout: 5 * time.Second})

	r := cachedSession(t, p, cache)
	r.until("the cache's answer", func(s flowModel) bool { return s.notice != "" })
	if !strings.Contains(r.s.notice, "no cached token: run the flow to sign in") || r.s.token != nil {
		t.Fatalf("first session: notice %q", r.s.notice)
	}
	r.runStep(stepToken)
	first := r.s.token
	if first == nil {
		t.Fatalf("Token: %s %v", r.s.states(), r.s.steps[stepToken].err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		e, _, err := cache.Load(context.Background(), "acme", profiles.CacheKey(r.s.c.Client.Config, "client_credentials"))
		if err != nil {
			t.Fatal(err)
		}
		if e != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Token step's token was not cached")
		}
		time.Sleep(20 * time.Millisecond)
	}

	r = cachedSession(t, p, cache)
	r.until("the cached token", func(s flowModel) bool { return s.token != nil })
	if r.s.token.AccessToken != first.AccessToken || r.s.steps[stepToken].state != stateDone || !strings.Contains(r.s.notice, "cached token of profile acme: valid for") {
		t.Errorf("second session: token reused %v, Token %d, notice %q", r.s.token.AccessToken == first.AccessToken, r.s.steps[stepToken].state, r.s.notice)
	}
	if n := r.s.c.Client.Trace.Len(); n != 0 {
		t.Errorf("the reused token cost %d requests", n)
	}
	if len(r.announced) == 0 {
		r.until("the announcement", func(s flowModel) bool { return len(r.announced) > 0 })
	}
}
