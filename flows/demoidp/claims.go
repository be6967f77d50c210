package demoidp

import (
	"fmt"
	"slices"
	"strings"
)

// user is a resource owner at the provider. There is one: the demo user.
type user struct {
	sub, username, password     string
	name, givenName, familyName string
	email                       string
	emailVerified               bool
}

var demoUser = &user{
	sub:           "demo-user-1",
	username:      "demo",
	password:      "demo",
	name:          "Demo User",
	givenName:     "Demo",
	familyName:    "User",
	email:         "demo@example.com",
	emailVerified: true,
}

// Scopes the provider knows (OIDC Core §5.4 and §11).
var supportedScopes = []string{"openid", "profile", "email", "offline_access"}

// Claims the provider can release, for the discovery document.
var supportedClaims = []string{
	"iss", "sub", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "at_hash", "c_hash", "azp", "sid",
	"name", "given_name", "family_name", "preferred_username", "email", "email_verified",
}

// parseScope splits a scope parameter (RFC 6749 §3.3), dropping duplicates,
// and reports unknown scopes as an invalid_scope error.
func parseScope(raw string) ([]string, *oauthError) {
	var out []string
	var unknown []string
	for _, s := range strings.Fields(raw) {
		if slices.Contains(out, s) {
			continue
		}
		if !slices.Contains(supportedScopes, s) {
			unknown = append(unknown, s)
			continue
		}
		out = append(out, s)
	}
	if len(unknown) > 0 {
		return nil, badRequest("invalid_scope", fmt.Sprintf("unknown scope %s; the provider supports %s",
			strings.Join(unknown, ", "), strings.Join(supportedScopes, " ")))
	}
	return out, nil
}

func hasScope(scope []string, s string) bool { return slices.Contains(scope, s) }

// addUserClaims adds the claims the scope releases about u (OIDC Core §5.4).
func addUserClaims(claims map[string]any, u *user, scope []string) {
	if hasScope(scope, "profile") {
		claims["name"] = u.name
		claims["given_name"] = u.givenName
		claims["family_name"] = u.familyName
		claims["preferred_username"] = u.username
	}
	if hasScope(scope, "email") {
		claims["email"] = u.email
		claims["email_verified"] = u.emailVerified
	}
}

// checkUser checks a username and password.
func checkUser(username, password string) *user {
	if username == demoUser.username && password == demoUser.password {
		return demoUser
	}
	return nil
}
