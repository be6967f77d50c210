package flows_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
)

func TestDiffClaims(t *testing.T) {
	old := map[string]any{
		"iss": "http://127.0.0.1:1", "sub": "alice", "exp": json.Number("1773480413"),
		"iat": json.Number("1773476813"), "scope": "openid profile", "sid": "s-1",
		"aud":   []any{"app", "api"},
		"cnf":   map[string]any{"jkt": "abc"},
		"score": json.Number("1"), "admin": false, "extra": nil,
	}
	cur := map[string]any{
		"iss": "http://127.0.0.1:1", "sub": "alice", "exp": json.Number("1773484013"),
		"iat": json.Number("1773480413"), "scope": "openid", "jti": "j-2",
		"aud":   []any{"app", "api"},
		"cnf":   map[string]any{"jkt": "abc"},
		"score": 1.0, "admin": false, "extra": nil,
	}
	got := flows.DiffClaims(old, cur)
	want := []struct {
		name string
		kind flows.ChangeKind
	}{
		{"admin", flows.ClaimSame}, {"aud", flows.ClaimSame}, {"cnf", flows.ClaimSame},
		{"exp", flows.ClaimChanged}, {"extra", flows.ClaimSame}, {"iat", flows.ClaimChanged},
		{"iss", flows.ClaimSame}, {"jti", flows.ClaimAdded}, {"scope", flows.ClaimChanged},
		{"score", flows.ClaimSame}, {"sid", flows.ClaimRemoved}, {"sub", flows.ClaimSame},
	}
	if len(got) != len(want) {
		t.Fatalf("%d changes, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Kind != w.kind {
			t.Errorf("change %d: %s %s, want %s %s", i, got[i].Name, got[i].Kind, w.name, w.kind)
		}
	}
	byName := map[string]flows.ClaimChange{}
	for _, c := range got {
		byName[c.Name] = c
	}
	if c := byName["jti"]; c.Old != nil || c.New != "j-2" {
		t.Errorf("added: %+v", c)
	}
	if c := byName["sid"]; c.Old != "s-1" || c.New != nil {
		t.Errorf("removed: %+v", c)
	}
	if c := byName["scope"]; c.Old != "openid profile" || c.New != "openid" {
		t.Errorf("changed: %+v", c)
	}
}

func TestDiffClaimsValues(t *testing.T) {
	tests := []struct {
		name     string
		old, new any
		kind     flows.ChangeKind
	}{
		{"same number spelled apart", json.Number("1"), json.Number("1.0"), flows.ClaimSame},
		{"large integers differ in the last digit", json.Number("9007199254740993"), json.Number("9007199254740992"), flows.ClaimChanged},
		{"number and string", json.Number("1"), "1", flows.ClaimChanged},
		{"array order counts", []any{"a", "b"}, []any{"b", "a"}, flows.ClaimChanged},
		{"array length", []any{"a"}, []any{"a", "b"}, flows.ClaimChanged},
		{"nested member changed", map[string]any{"roles": []any{"x"}}, map[string]any{"roles": []any{"y"}}, flows.ClaimChanged},
		{"nested member missing", map[string]any{"a": nil}, map[string]any{"b": nil}, flows.ClaimChanged},
		{"object and array", map[string]any{}, []any{}, flows.ClaimChanged},
		{"bool", true, false, flows.ClaimChanged},
		{"null and false", nil, false, flows.ClaimChanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flows.DiffClaims(map[string]any{"c": tt.old}, map[string]any{"c": tt.new})
			if len(got) != 1 || got[0].Kind != tt.kind {
				t.Errorf("got %+v, want %s", got, tt.kind)
			}
		})
	}
}

func TestDiffClaimsEmpty(t *testing.T) {
	if got := flows.DiffClaims(nil, nil); len(got) != 0 {
		t.Errorf("nil maps: %+v", got)
	}
	got := flows.DiffClaims(nil, map[string]any{"b": "1", "a": "2"})
	want := []flows.ClaimChange{{Name: "a", New: "2", Kind: flows.ClaimAdded}, {Name: "b", New: "1", Kind: flows.ClaimAdded}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
