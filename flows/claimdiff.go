package flows

import (
	"encoding/json"
	"math/big"
	"slices"
	"sort"
)

// ChangeKind says how a claim differs between two tokens.
type ChangeKind string

// The kinds of ClaimChange.
const (
	ClaimAdded   ChangeKind = "added"
	ClaimRemoved ChangeKind = "removed"
	ClaimChanged ChangeKind = "changed"
	ClaimSame    ChangeKind = "same"
)

// ClaimChange is one claim compared between an old token and a new one.
type ClaimChange struct {
	Name string
	// Old and New are the values as decoded; Old is nil when the claim was added, New when it was
	// removed.
	Old, New any
	Kind     ChangeKind
}

// DiffClaims compares the claims of a token with those of the token that replaced it, such as an
// access token before and after a refresh: one ClaimChange per claim present in either, sorted by
// name. Values compare as JSON: numbers by value (1 and 1.0 are the same), objects member by member,
// arrays in order.
func DiffClaims(oldClaims, newClaims map[string]any) []ClaimChange {
	names := make([]string, 0, len(oldClaims)+len(newClaims))
	for k := range oldClaims {
		names = append(names, k)
	}
	for k := range newClaims {
		if _, ok := oldClaims[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	out := make([]ClaimChange, 0, len(names))
	for _, k := range names {
		o, inOld := oldClaims[k]
		n, inNew := newClaims[k]
		c := ClaimChange{Name: k, Old: o, New: n}
		switch {
		case !inOld:
			c.Kind = ClaimAdded
		case !inNew:
			c.Kind = ClaimRemoved
		case jsonEqual(o, n):
			c.Kind = ClaimSame
		default:
			c.Kind = ClaimChanged
		}
		out = append(out, c)
	}
	return out
}

// jsonEqual compares two decoded JSON values.
func jsonEqual(a, b any) bool {
	if x, ok := jsonNumber(a); ok {
		y, ok := jsonNumber(b)
		return ok && x.Cmp(y) == 0
	}
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, jsonEqual)
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case nil:
		return b == nil
	}
	return false
}

// jsonNumber reads a decoded JSON number, whether decoded with UseNumber or as a float64 or int,
// exactly.
func jsonNumber(v any) (*big.Float, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case float64:
		return new(big.Float).SetFloat64(v), true
	case int:
		return new(big.Float).SetInt64(int64(v)), true
	case int64:
		return new(big.Float).SetInt64(v), true
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	return f, err == nil
}
