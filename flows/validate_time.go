package flows

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// The time checks of token validation (RFC 7519 §4.1.4–4.1.6, OpenID Connect Core §3.1.3.7 items
// 9–11 and §3.1.2.1 for auth_time), the clock difference with the provider, and how times are shown.

// timeClaim reads a NumericDate claim. bad is set when it is present but not a number; asString
// when it is a number sent as a JSON string.
func (v *verification) timeClaim(name string) (t time.Time, present, bad, asString bool) {
	raw, present := v.j.Claims[name]
	if !present {
		return time.Time{}, false, false, false
	}
	t, ok := numericDate(raw)
	_, asString = raw.(string)
	return t, true, !ok, asString && ok
}

func (v *verification) badTime(name string) Check {
	return fail(name, KindMalformedJWT, "%s is %s, not a NumericDate (seconds since 1970-01-01 UTC, RFC 7519 §2)", name, describeValue(v.j.Claims[name]))
}

// describeValue names a claim value with its content, for messages.
func describeValue(x any) string {
	switch x := x.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case json.Number:
		return "the number " + x.String()
	}
	return jsonTypeName(x)
}

// stringNote warns about a NumericDate sent as a string.
func stringNote(asString bool) string {
	if asString {
		return " (sent as a JSON string, which RFC 7519 §2 does not allow; tokenbench reads it anyway)"
	}
	return ""
}

func (v *verification) exp() Check {
	t, present, bad, asString := v.timeClaim("exp")
	switch {
	case !present && v.want.IDToken:
		return fail("exp", KindMissingClaim, "the token has no exp claim, which an id_token must carry (OpenID Connect Core §2)")
	case !present:
		return skip("exp", "the token has no exp claim, so it does not expire by itself")
	case bad:
		return v.badTime("exp")
	}
	// OpenID Connect Core §3.1.3.7 item 9: now must be before exp, with some leeway for clock skew.
	note := stringNote(asString)
	switch {
	case v.now.Before(t):
		return passText("exp", "expires at "+fmtTime(t)+", "+relative(t, v.now)+note)
	case v.now.Before(t.Add(v.skew)):
		return pass("exp", "expired %s at %s, within the %s clock-skew allowance%s", relative(t, v.now), fmtTime(t), fmtAllowance(v.skew), note)
	}
	return fail("exp", KindTokenExpired, "expired %s at %s (allowance %s)%s", relative(t, v.now), fmtTime(t), fmtAllowance(v.skew), note)
}

func (v *verification) iat() Check {
	t, present, bad, asString := v.timeClaim("iat")
	switch {
	case !present && v.want.IDToken:
		return fail("iat", KindMissingClaim, "the token has no iat claim, which an id_token must carry (OpenID Connect Core §2)")
	case !present:
		return skip("iat", "the token has no iat claim")
	case bad:
		return v.badTime("iat")
	}
	note := stringNote(asString)
	switch {
	case t.After(v.now.Add(v.skew)):
		return fail("iat", KindIssuedInFuture, "issued %s in the future, at %s (allowance %s): the provider's clock is ahead of this machine's, or this machine's is behind%s", fmtDuration(t.Sub(v.now)), fmtTime(t), fmtAllowance(v.skew), note)
	case t.After(v.now):
		return pass("iat", "issued %s in the future, at %s, within the %s clock-skew allowance%s", fmtDuration(t.Sub(v.now)), fmtTime(t), fmtAllowance(v.skew), note)
	}
	return passText("iat", "issued at "+fmtTime(t)+", "+relative(t, v.now)+note)
}

func (v *verification) nbf() Check {
	t, present, bad, asString := v.timeClaim("nbf")
	switch {
	case !present:
		return skip("nbf", "the token has no nbf claim")
	case bad:
		return v.badTime("nbf")
	}
	note := stringNote(asString)
	// RFC 7519 §4.1.5: the token must not be accepted before nbf, with a small leeway.
	if t.After(v.now.Add(v.skew)) {
		return fail("nbf", KindTokenNotYetValid, "not valid before %s, %s (allowance %s)%s", fmtTime(t), relative(t, v.now), fmtAllowance(v.skew), note)
	}
	return passText("nbf", "valid since "+fmtTime(t)+", "+relative(t, v.now)+note)
}

func (v *verification) authTime() Check {
	t, present, bad, asString := v.timeClaim("auth_time")
	switch {
	case v.want.MaxAge <= 0 && !present:
		return skip("auth_time", "no max_age was sent, and the token has no auth_time claim")
	case bad:
		return v.badTime("auth_time")
	case v.want.MaxAge <= 0:
		return skip("auth_time", "no max_age was sent; the user authenticated at %s, %s%s", fmtTime(t), relative(t, v.now), stringNote(asString))
	case !present:
		// OpenID Connect Core §3.1.2.1: with max_age, the id_token must carry auth_time.
		return fail("auth_time", KindMissingClaim, "max_age %s was sent, so the token must carry auth_time (OpenID Connect Core §3.1.2.1), and it does not", fmtDuration(v.want.MaxAge))
	case t.After(v.now.Add(v.skew)):
		return fail("auth_time", KindIssuedInFuture, "the user authenticated %s in the future, at %s (allowance %s)", fmtDuration(t.Sub(v.now)), fmtTime(t), fmtAllowance(v.skew))
	case v.now.After(t.Add(v.want.MaxAge + v.skew)):
		return fail("auth_time", KindAuthTimeTooOld, "the user authenticated %s at %s, longer ago than the max_age of %s (allowance %s): the provider should have asked them to log in again (OpenID Connect Core §3.1.2.1)", relative(t, v.now), fmtTime(t), fmtDuration(v.want.MaxAge), fmtAllowance(v.skew))
	}
	return passText("auth_time", "the user authenticated "+relative(t, v.now)+" at "+fmtTime(t)+", within the max_age of "+fmtDuration(v.want.MaxAge)+stringNote(asString))
}

// clockSkew measures this machine's clock against the provider's Date header.
func (v *verification) clockSkew() Check {
	if v.want.ServerDate.IsZero() {
		return skip("clock_skew", "the provider's Date header is not known, so the clock difference was not measured")
	}
	recv := v.want.ReceivedAt
	if recv.IsZero() {
		recv = v.now
	}
	d := recv.Sub(v.want.ServerDate)
	// The Date header has one-second resolution (RFC 9110 §5.6.7): the provider's clock may be up to
	// a second later than it says.
	abs := d
	if abs < 0 {
		abs = -abs
	}
	date := fmtTime(v.want.ServerDate)
	if abs < time.Second {
		return pass("clock_skew", "this machine's clock agrees with the provider's to within a second (its Date header said %s)", date)
	}
	dir := "ahead of"
	if d < 0 {
		dir = "behind"
	}
	if abs-time.Second > v.skew {
		return fail("clock_skew", KindClockSkew, "this machine's clock is %s %s the provider's (its Date header said %s), beyond the %s allowance: the exp, iat and nbf checks may be off by that much", fmtDuration(abs), dir, date, fmtAllowance(v.skew))
	}
	return passText("clock_skew", "this machine's clock is "+fmtDuration(abs)+" "+dir+" the provider's (its Date header said "+date+"), within the "+fmtAllowance(v.skew)+" allowance")
}

// fmtTime shows a time as a UTC date.
func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// relative says how far t is from now: "in 54m", "3h12m ago".
func relative(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d > -time.Second && d < time.Second:
		return "just now"
	case d > 0:
		return "in " + fmtDuration(d)
	}
	return fmtDuration(-d) + " ago"
}

// fmtDuration renders a duration compactly and roughly: "45s", "4m30s", "54m", "3h12m", "2d5h".
func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	itoa := func(n time.Duration) string { return strconv.FormatInt(int64(n), 10) }
	// pair renders "<a><ua><b><ub>", leaving out a zero second part.
	pair := func(a time.Duration, ua string, b time.Duration, ub string) string {
		if b == 0 {
			return itoa(a) + ua
		}
		return itoa(a) + ua + itoa(b) + ub
	}
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return itoa(d/time.Second) + "s"
	case d < 10*time.Minute:
		return pair(d/time.Minute, "m", d%time.Minute/time.Second, "s")
	case d < time.Hour:
		return itoa(d/time.Minute) + "m"
	case d < 48*time.Hour:
		return pair(d/time.Hour, "h", d%time.Hour/time.Minute, "m")
	case d > 3650*day:
		return strconv.FormatFloat(math.Round(d.Hours()/24/365.25), 'f', 0, 64) + " years"
	}
	return pair(d/day, "d", d%day/time.Hour, "h")
}

// fmtAllowance renders the skew allowance: "60s", "0.5s", "15m".
func fmtAllowance(d time.Duration) string {
	if d < 10*time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
	}
	return fmtDuration(d)
}
