// Command netclient is the least a command-line OAuth client can do for the flows `.ci/bench`
// times: a minimal net/http client, the standard library only, doing the same round trips and
// the same checks as `tokenbench token`. Its CPU time is the yardstick of tokenbench's.
//
//	netclient -issuer URL -client-id ID -client-secret S [-grant client_credentials]
//
// For the authorization code grant it prints the authorization URL on stderr, listens on a
// loopback port for the callback, checks state and iss (RFC 9207), exchanges the code with PKCE
// (RFC 7636), checks the id_token's RS256 signature against the JWKS and its iss, aud, azp, exp,
// iat, nbf, nonce and at_hash (OpenID Connect Core §3.1.3.7), and prints the token response.
package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

type metadata struct {
	Issuer        string `json:"issuer"`
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	JWKS          string `json:"jwks_uri"`
}

func main() {
	issuer := flag.String("issuer", "", "the issuer")
	clientID := flag.String("client-id", "", "the client_id")
	secret := flag.String("client-secret", "", "the client secret (HTTP Basic)")
	grant := flag.String("grant", "authorization_code", "authorization_code or client_credentials")
	flag.Parse()
	if err := run(*issuer, *clientID, *secret, *grant); err != nil {
		fmt.Fprintln(os.Stderr, "netclient:", err)
		os.Exit(1)
	}
}

func run(issuer, clientID, secret, grant string) error {
	var md metadata
	if err := getJSON(strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &md); err != nil {
		return err
	}
	if md.Issuer != issuer {
		return fmt.Errorf("discovery: issuer %q, expected %q", md.Issuer, issuer)
	}
	form := url.Values{"grant_type": {grant}}
	var nonce string
	if grant == "authorization_code" {
		var err error
		if form, nonce, err = authorize(md, clientID); err != nil {
			return err
		}
	}
	body, err := post(md.Token, form, clientID, secret)
	if err != nil {
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		IDToken     string `json:"id_token"`
		Error       string `json:"error"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.Error != "" || tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
		return fmt.Errorf("token response: %s", body)
	}
	if grant == "authorization_code" {
		if err := checkIDToken(md, tok.IDToken, tok.AccessToken, clientID, nonce); err != nil {
			return fmt.Errorf("id_token: %w", err)
		}
	}
	_, err = os.Stdout.Write(append(body, '\n'))
	return err
}

// authorize sends the user to the provider and waits for the callback on a loopback port; it
// returns the token request's form and the nonce sent.
func authorize(md metadata, clientID string) (url.Values, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	defer ln.Close()
	redirect := "http://" + ln.Addr().String() + "/callback"
	state, nonce, verifier := random(), random(), random()+random()
	challenge := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect},
		"scope": {"openid profile email"}, "state": {state}, "nonce": {nonce},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(challenge[:])}, "code_challenge_method": {"S256"},
	}
	fmt.Fprintf(os.Stderr, "Open this URL to sign in:\n\n  %s?%s\n\n", md.Authorization, q.Encode())
	got := make(chan url.Values, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "You can close this window.")
		select {
		case got <- r.URL.Query():
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background()) // after the browser has its answer
	var res url.Values
	select {
	case res = <-got:
	case <-time.After(2 * time.Minute):
		return nil, "", errors.New("no callback")
	}
	switch {
	case res.Get("error") != "":
		return nil, "", fmt.Errorf("authorization error %s", res.Get("error"))
	case res.Get("state") != state:
		return nil, "", errors.New("the state does not match")
	case res.Has("iss") && res.Get("iss") != md.Issuer:
		return nil, "", errors.New("the iss does not match")
	}
	return url.Values{"grant_type": {"authorization_code"}, "code": {res.Get("code")},
		"redirect_uri": {redirect}, "code_verifier": {verifier}}, nonce, nil
}

func checkIDToken(md metadata, idToken, accessToken, clientID, nonce string) error {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return errors.New("not a JWS")
	}
	var header struct{ Alg, Kid string }
	if err := decodePart(parts[0], &header); err != nil || header.Alg != "RS256" {
		return fmt.Errorf("header %+v: %v", header, err)
	}
	var jwks struct {
		Keys []struct{ Kid, Kty, N, E string }
	}
	if err := getJSON(md.JWKS, &jwks); err != nil {
		return err
	}
	var key *rsa.PublicKey
	for _, k := range jwks.Keys {
		if k.Kid == header.Kid && k.Kty == "RSA" {
			n, err1 := base64.RawURLEncoding.DecodeString(k.N)
			e, err2 := base64.RawURLEncoding.DecodeString(k.E)
			if err1 != nil || err2 != nil {
				return errors.New("a bad key in the JWKS")
			}
			key = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	if key == nil {
		return fmt.Errorf("no key %q in the JWKS", header.Kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return err
	}
	var c struct {
		Iss    string  `json:"iss"`
		Azp    string  `json:"azp"`
		Nonce  string  `json:"nonce"`
		AtHash string  `json:"at_hash"`
		Aud    any     `json:"aud"`
		Exp    float64 `json:"exp"`
		Iat    float64 `json:"iat"`
		Nbf    float64 `json:"nbf"`
	}
	if err := decodePart(parts[1], &c); err != nil {
		return err
	}
	now := float64(time.Now().Unix())
	const skew = 60
	at := sha256.Sum256([]byte(accessToken))
	switch {
	case c.Iss != md.Issuer:
		return errors.New("iss")
	case !audHas(c.Aud, clientID):
		return errors.New("aud")
	case c.Azp != "" && c.Azp != clientID:
		return errors.New("azp")
	case c.Exp+skew < now:
		return errors.New("exp")
	case c.Iat > now+skew:
		return errors.New("iat")
	case c.Nbf > now+skew:
		return errors.New("nbf")
	case subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1:
		return errors.New("nonce")
	case c.AtHash != "" && c.AtHash != base64.RawURLEncoding.EncodeToString(at[:16]):
		return errors.New("at_hash")
	}
	return nil
}

func audHas(aud any, id string) bool {
	switch a := aud.(type) {
	case string:
		return a == id
	case []any:
		for _, v := range a {
			if v == id {
				return true
			}
		}
	}
	return false
}

func decodePart(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func getJSON(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	return json.Unmarshal(b, v)
}

func post(u string, form url.Values, id, secret string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 §2.3.1: the id and secret are form-encoded before they go into Basic credentials.
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
