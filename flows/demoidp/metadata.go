package demoidp

import "net/http"

// metadata is the provider's discovery document: OpenID Connect Discovery
// 1.0 §3 and OAuth 2.0 Authorization Server Metadata (RFC 8414 §2), served
// the same at both well-known paths.
func (p *Provider) metadata() map[string]any {
	authMethods := []string{authBasic, authPost, authSecretJWT, authPrivateKeyJWT, authNone}
	confidential := []string{authBasic, authPost, authSecretJWT, authPrivateKeyJWT}
	signingAlgs := []string{"RS256", "PS256", "ES256", "HS256"}
	return map[string]any{
		"issuer":                                           p.issuer,
		"authorization_endpoint":                           p.endpoint("/authorize"),
		"token_endpoint":                                   p.endpoint("/token"),
		"userinfo_endpoint":                                p.endpoint("/userinfo"),
		"jwks_uri":                                         p.endpoint("/jwks"),
		"introspection_endpoint":                           p.endpoint("/introspect"),
		"revocation_endpoint":                              p.endpoint("/revoke"),
		"end_session_endpoint":                             p.endpoint("/logout"),
		"device_authorization_endpoint":                    p.endpoint("/device_authorization"),
		"response_types_supported":                         supportedResponseTypes,
		"response_modes_supported":                         supportedResponseModes,
		"grant_types_supported":                            supportedGrantTypes,
		"token_endpoint_auth_methods_supported":            authMethods,
		"token_endpoint_auth_signing_alg_values_supported": signingAlgs,
		"introspection_endpoint_auth_methods_supported":    confidential,
		"introspection_endpoint_auth_signing_alg_values_supported": signingAlgs,
		"revocation_endpoint_auth_methods_supported":               authMethods,
		"revocation_endpoint_auth_signing_alg_values_supported":    signingAlgs,
		"id_token_signing_alg_values_supported":                    []string{"RS256"},
		"authorization_signing_alg_values_supported":               []string{"RS256"},
		"id_token_encryption_alg_values_supported":                 []string{string(encryptionAlg)},
		"id_token_encryption_enc_values_supported":                 []string{string(encryptionEnc)},
		"authorization_encryption_alg_values_supported":            []string{string(encryptionAlg)},
		"authorization_encryption_enc_values_supported":            []string{string(encryptionEnc)},
		"userinfo_encryption_alg_values_supported":                 []string{string(encryptionAlg)},
		"userinfo_encryption_enc_values_supported":                 []string{string(encryptionEnc)},
		"userinfo_signing_alg_values_supported":                    []string{"RS256"},
		"code_challenge_methods_supported":                         []string{"S256", "plain"},
		"dpop_signing_alg_values_supported":                        dpopAlgNames(),
		"scopes_supported":                                         supportedScopes,
		"claims_supported":                                         supportedClaims,
		"claim_types_supported":                                    []string{"normal"},
		"subject_types_supported":                                  []string{"public"},
		"prompt_values_supported":                                  []string{"none", "login", "consent", "select_account"},
		"authorization_response_iss_parameter_supported":           true,
		"request_parameter_supported":                              true,
		"request_object_signing_alg_values_supported":              []string{"RS256", "PS256", "ES256", "HS256"},
		"pushed_authorization_request_endpoint":                    p.endpoint("/par"),
		"require_pushed_authorization_requests":                    p.Faults().RequirePAR,
		"request_uri_parameter_supported":                          true,
		"claims_parameter_supported":                               false,
		"backchannel_authentication_endpoint":                      p.endpoint("/bc-authorize"),
		"backchannel_token_delivery_modes_supported":               cibaDeliveryModes,
		"backchannel_user_code_parameter_supported":                true,
		"authorization_details_types_supported":                    authorizationDetailsTypes,
		"registration_endpoint":                                    p.endpoint(registrationPath),
	}
}

// handleMetadata serves the discovery document, or under the
// html-discovery fault an HTML page with status 200, as a host that answers
// every path with a single-page app does.
func (p *Provider) handleMetadata(w http.ResponseWriter, r *http.Request) {
	if p.Faults().HTMLDiscovery {
		writeRawHTML(w, http.StatusOK, spaPage)
		return
	}
	writeJSON(w, http.StatusOK, p.withMTLSMetadata(p.metadata()))
}
