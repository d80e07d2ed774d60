package fapilog

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSensitiveKeyWords: keys in every casing and separator style, and
// the ordinary keys deliberately left alone.
func TestSensitiveKeyWords(t *testing.T) {
	sensitive := []string{
		"password", "PASSWORD", "Password", "user_password", "userPassword", "UserPassword", "DBPassword",
		"db-password", "db.password", "db password", "DB_PASSWORD", "userpassword", "USERPASSWORD",
		"passwordHash", "password2", "passwd", "pwd", "DB_PWD", "db_pw", "SMTP_PASS", "passphrase", "passcode",
		"secret", "client_secret", "clientSecret", "CLIENT_SECRET", "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY",
		"webhookSecret", "secrets", "token", "access_token", "accessToken", "AccessToken", "refresh-token",
		"id_token", "X-Auth-Token", "x-csrf-token", "csrftoken", "GITHUB_TOKEN", "api_key", "apiKey", "APIKey",
		"ApiKey", "apikey", "API_KEY", "X-Api-Key", "x-api-key", "X-API-KEY", "X-Goog-Api-Key", "api.key",
		"auth", "Auth", "x-auth", "auth_header", "authorization", "Authorization", "Proxy-Authorization",
		"credential", "credentials", "googleCredentials", "creds", "cookie", "Cookie", "Set-Cookie", "cookies",
		"session_id", "sessionId", "SessionID", "sessionid", "JSESSIONID", "PHPSESSID", "session_key",
		"jwt", "JWT", "id_jwt", "private_key", "privateKey", "PRIVATE_KEY", "privkey", "ssh_key",
		"aws_access_key_id", "AWS_ACCESS_KEY_ID", "AccessKey", "AccountKey", "SharedAccessKey",
		"Ocp-Apim-Subscription-Key", "signature", "X-Hub-Signature-256", "sig", "otp", "bearer",
		"encryption_key", "MASTER_KEY", "signingKey", "oauth_token", "oauth2Token",
	}
	ordinary := []string{
		"", "_", "key", "keys", "cache_key", "primary_key", "keyboard", "monkey", "id", "user", "user_id",
		"token_count", "tokenCount", "max_tokens", "tokens", "prompt_tokens", "total_tokens", "num_tokens",
		"token_type", "token_expires_at", "tokenExpiry", "expires_in", "token_url", "token_endpoint",
		"author", "authority", "authored", "authors", "oauth", "authenticated", "auth_type", "auth_method",
		"session", "session_count", "sessionCount", "session_duration", "sessions",
		"password_length", "password_policy", "passwordChangedAt", "has_password", "is_auth",
		"secretary", "secret_name", "secretName", "cookie_name", "cookie_domain", "signature_algorithm",
		"tokenizer", "passenger", "bypass", "compass", "passage", "description", "pwdless_mode",
		"keyId", "kid", "client_id", "public_key", "host", "dsn", "url", "message",
	}
	for _, k := range sensitive {
		require.True(t, sensitiveKey(k, wordCredential), "%q should be sensitive", k)
	}
	for _, k := range ordinary {
		require.False(t, sensitiveKey(k, wordCredential), "%q should be left alone", k)
	}
	for k, cls := range map[string]uint8{
		"cvv": wordPCI, "CVV2": wordPCI, "card_number": wordPCI, "cardNumber": wordPCI, "pan": wordPCI,
		"track2": wordPCI, "track_1": wordPCI, "security_code": wordPCI, "pin": wordPCI,
		"ssn": wordPII, "email": wordPII, "phoneNumber": wordPII, "client_ip": wordPII, "X-Forwarded-For": wordPII,
		"iban": wordPII, "date_of_birth": wordPII,
	} {
		require.True(t, sensitiveKey(k, cls), k)
		require.False(t, sensitiveKey(k, wordCredential), "%q is not a credential", k)
	}
	for _, k := range []string{"pinned", "spin", "track", "card", "card_brand", "email_verified", "phone_type", "ip_version"} {
		require.False(t, sensitiveKey(k, wordPCI|wordPII), k)
	}
}

// TestSensitiveWordsHaveLetters is the premise of twoLetters.
func TestSensitiveWordsHaveLetters(t *testing.T) {
	for _, class := range sensitiveWords {
		for _, w := range append(slices.Clone(class.words), class.pairs...) {
			require.True(t, twoLetters(w), w)
		}
	}
	require.False(t, sensitiveKey("2026-01-01T12", wordCredential|wordPCI|wordPII))
	require.True(t, sensitiveKey("pw", wordCredential))
}
