package fapilog

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A secretShape is a real-world way a secret gets logged: the attrs (or
// message) that hold it, the secrets that must not be printed, and the
// text around them that must be.
type secretShape struct {
	name    string
	msg     string
	attrs   []slog.Attr
	secrets []string
	keep    []string
}

// keyShape is a secret logged as the value of a field named key.
func keyShape(key string) secretShape {
	secret := "s3cr3t-" + strings.ToLower(strings.NewReplacer("-", "", "_", "", ".", "").Replace(key))
	return secretShape{name: "key " + key, attrs: []slog.Attr{slog.String(key, secret), slog.String("user", "ann")},
		secrets: []string{secret}, keep: []string{key, "ann"}}
}

// textShape is a secret inside a string value.
func textShape(name, text string, secrets []string, keep ...string) secretShape {
	return secretShape{name: name, attrs: []slog.Attr{slog.String("note", text)}, secrets: secrets, keep: keep}
}

const testJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

// secretShapes are shapes Credentials, the default, masks.
func secretShapes() []secretShape {
	var shapes []secretShape
	for _, k := range []string{
		// The issue's first paragraph.
		"user_password", "DBPassword", "passphrase", "X-Api-Key", "aws_secret_access_key", "jwt",
		// Environment variables.
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN", "AZURE_CLIENT_SECRET",
		"AZURE_STORAGE_ACCOUNT_KEY", "STRIPE_SECRET_KEY", "SLACK_BOT_TOKEN", "DATABASE_PASSWORD", "PGPASSWORD",
		"REDIS_PASS", "MYSQL_PWD", "GOOGLE_APPLICATION_CREDENTIALS", "NPM_TOKEN", "SENTRY_AUTH_TOKEN",
		// HTTP headers.
		"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Auth-Token", "X-CSRF-Token",
		"X-Amz-Security-Token", "Ocp-Apim-Subscription-Key", "X-Hub-Signature-256", "X-Goog-Api-Key",
		// Code.
		"clientSecret", "refreshToken", "sessionId", "privateKeyPem", "apiKey", "APIKey", "signingKey",
		"oauth2Token", "encryption.key", "db password",
	} {
		shapes = append(shapes, keyShape(k))
	}
	type creds struct {
		User     string `json:"user"`
		APIToken string `json:"api_token"`
		Nested   map[string]any
	}
	shapes = append(shapes,
		secretShape{name: "http.Header",
			attrs: []slog.Attr{slog.Any("headers", http.Header{
				"Authorization": {"Bearer hdr-s3cr3t-1"}, "X-Api-Key": {"hdr-s3cr3t-2"},
				"Cookie": {"sid=hdr-s3cr3t-3"}, "Accept": {"application/json"}})},
			secrets: []string{"hdr-s3cr3t-1", "hdr-s3cr3t-2", "hdr-s3cr3t-3"}, keep: []string{"application/json", "Accept", "X-Api-Key"}},
		secretShape{name: "struct json tags and nested map keys",
			attrs: []slog.Attr{slog.Any("c", creds{User: "ann", APIToken: "tag-s3cr3t",
				Nested: map[string]any{"db": map[string]string{"Password": "map-s3cr3t", "host": "db.internal"}}})},
			secrets: []string{"tag-s3cr3t", "map-s3cr3t"}, keep: []string{"ann", "db.internal", "api_token"}},
		secretShape{name: "message", msg: "connecting with password=msg-s3cr3t to db.internal",
			secrets: []string{"msg-s3cr3t"}, keep: []string{"connecting with password=", " to db.internal"}},
		secretShape{name: "error value", attrs: []slog.Attr{slog.Any("err", errors.New("oauth2: token=err-s3cr3t rejected by idp"))},
			secrets: []string{"err-s3cr3t"}, keep: []string{"oauth2: token=", " rejected by idp"}},

		textShape("password= in text", "login failed for ann password=hunter2 retry", []string{"hunter2"}, "login failed for ann password=", " retry"),
		textShape("token: in text", "refresh failed, token: abc123XYZ, giving up", []string{"abc123XYZ"}, "refresh failed, token: ", ", giving up"),
		textShape("embedded JSON", `body {"user":"ann","token":"tok-s3cr3t","n":1}`, []string{"tok-s3cr3t"}, `{"user":"ann","token":"`, `","n":1}`),
		textShape("embedded JSON object", `{"credentials": {"user": "a", "pass": "obj-s3cr3t"}, "ok": true}`, []string{"obj-s3cr3t"}, `{"credentials": `, `, "ok": true}`),
		textShape("Authorization Bearer", "GET /v1 Authorization: Bearer abc.DEF-123_x", []string{"abc.DEF-123_x"}, "GET /v1 Authorization: Bearer "),
		textShape("Authorization Basic", "authorization: Basic dXNlcjpwYXNzd29yZA== from 10.0.0.1", []string{"dXNlcjpwYXNzd29yZA=="}, "authorization: Basic ", " from 10.0.0.1"),
		textShape("curl header", "curl -H 'Authorization: Bearer curl-s3cr3t' https://api.example.com", []string{"curl-s3cr3t"}, "curl -H 'Authorization: Bearer ", "' https://api.example.com"),
		textShape("header line X-Api-Key", "X-Api-Key: hdr-line-s3cr3t\r\nAccept: */*", []string{"hdr-line-s3cr3t"}, "X-Api-Key: ", "\r\nAccept: */*"),
		textShape("cookie header", "Cookie: theme=dark; sid=ck-s3cr3t next", []string{"ck-s3cr3t"}, "Cookie: ", " next"),
		textShape("JWT", "jwt "+testJWT+" expired", []string{testJWT[40:]}, "jwt ", " expired"),
		textShape("PEM private key", "loaded -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEApem1s3cr3t\n-----END RSA PRIVATE KEY----- ok",
			[]string{"MIIEpAIBAAKCAQEApem1s3cr3t"}, "loaded -----BEGIN RSA PRIVATE KEY-----\n", "\n-----END RSA PRIVATE KEY----- ok"),
		textShape("OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEpem2s3cr3t\n-----END OPENSSH PRIVATE KEY-----",
			[]string{"b3BlbnNzaC1rZXktdjEpem2s3cr3t"}, "-----BEGIN OPENSSH PRIVATE KEY-----"),
		textShape("AWS access key id", "using key AKIAIOSFODNN7EXAMPLE for s3", []string{"AKIAIOSFODNN7EXAMPLE"}, "using key ", " for s3"),
		textShape("JSON aws_access_key_id", `{"aws_access_key_id": "ASIAY34FZKBOKMUTVV7A", "region": "eu-west-1"}`, []string{"ASIAY34FZKBOKMUTVV7A"}, `"region": "eu-west-1"`),
		textShape("Postgres URL", "dsn postgres://app:pg-s3cr3t@db:5432/shop?sslmode=require", []string{"pg-s3cr3t"}, "dsn postgres://", "@db:5432/shop?sslmode=require"),
		textShape("Postgres key=value DSN", "host=db port=5432 user=app password=pgkv-s3cr3t dbname=shop sslmode=disable", []string{"pgkv-s3cr3t"}, "host=db port=5432 user=app password=", " dbname=shop sslmode=disable"),
		textShape("Postgres quoted DSN", "host=db user=app password='pg q-s3cr3t' dbname=shop", []string{"pg q-s3cr3t"}, "host=db user=app password='", "' dbname=shop"),
		textShape("JDBC", "jdbc:postgresql://db:5432/shop?user=app&password=jdbc-s3cr3t&ssl=true", []string{"jdbc-s3cr3t"}, "jdbc:postgresql://db:5432/shop?user=app&password=", "&ssl=true"),
		textShape("MySQL DSN", "open app:s3cr3t@tcp(db:3306)/shop failed", []string{"s3cr3t"}, "open ", "@tcp(db:3306)/shop failed"),
		textShape("MySQL DSN unix socket", "root:my-s3cr3t@unix(/tmp/mysql.sock)/db?charset=utf8mb4", []string{"my-s3cr3t"}, "@unix(/tmp/mysql.sock)/db?charset=utf8mb4"),
		textShape("MySQL DSN no address", "dsn=app:my2-s3cr3t@/shop", []string{"my2-s3cr3t"}, "dsn=", "@/shop"),
		textShape("MySQL URL", "mysql://app:myurl-s3cr3t@db:3306/shop", []string{"myurl-s3cr3t"}, "mysql://", "@db:3306/shop"),
		textShape("Mongo SRV", "mongodb+srv://app:mg-s3cr3t@cluster0.example.net/shop?retryWrites=true", []string{"mg-s3cr3t"}, "mongodb+srv://", "@cluster0.example.net/shop?retryWrites=true"),
		textShape("Mongo replica set", "mongodb://app:mg2-s3cr3t@db1:27017,db2:27017/shop?replicaSet=rs0", []string{"mg2-s3cr3t"}, "mongodb://", "@db1:27017,db2:27017/shop?replicaSet=rs0"),
		textShape("Redis password only", "redis://:rd-s3cr3t@cache:6379/0", []string{"rd-s3cr3t"}, "redis://", "@cache:6379/0"),
		textShape("Redis TLS user", "rediss://default:rd2-s3cr3t@cache:6380", []string{"rd2-s3cr3t"}, "rediss://", "@cache:6380"),
		textShape("AMQP", "amqp://guest:mq-s3cr3t@mq:5672/vhost", []string{"mq-s3cr3t"}, "amqp://", "@mq:5672/vhost"),
		textShape("AMQPS", "amqps://svc:mq2-s3cr3t@b-1.mq.eu-west-1.amazonaws.com:5671", []string{"mq2-s3cr3t"}, "amqps://", "@b-1.mq.eu-west-1.amazonaws.com:5671"),
		textShape("MSSQL ADO.NET", "Server=tcp:db.example.net,1433;Initial Catalog=shop;User ID=app;Password=ms-s3cr3t;Encrypt=True;",
			[]string{"ms-s3cr3t"}, "Server=tcp:db.example.net,1433;Initial Catalog=shop;User ID=app;Password=", ";Encrypt=True;"),
		textShape("MSSQL Pwd", "Driver={ODBC Driver 18};Server=db;Uid=app;Pwd=odbc-s3cr3t;", []string{"odbc-s3cr3t"}, "Driver={ODBC Driver 18};Server=db;Uid=app;Pwd=", ";"),
		textShape("MSSQL URL", "sqlserver://app:ms2-s3cr3t@db:1433?database=shop", []string{"ms2-s3cr3t"}, "sqlserver://", "@db:1433?database=shop"),
		textShape("Azure storage", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=az+s3cr3t/Key==;EndpointSuffix=core.windows.net",
			[]string{"az+s3cr3t/Key=="}, "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=", ";EndpointSuffix=core.windows.net"),
		textShape("Azure Service Bus", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=sb-s3cr3t=",
			[]string{"sb-s3cr3t="}, "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey="),
		textShape("Kafka JAAS", `PlainLoginModule required username="app" password="kf-s3cr3t";`, []string{"kf-s3cr3t"}, `PlainLoginModule required username="app" password="`, `";`),
		textShape("query string", "GET https://api.example.com/v1/items?api_key=q-s3cr3t&q=shoes", []string{"q-s3cr3t"}, "GET https://api.example.com/v1/items?api_key=", "&q=shoes"),
		textShape("OAuth form", "client_id=web&client_secret=oa-s3cr3t&grant_type=client_credentials", []string{"oa-s3cr3t"}, "client_id=web&client_secret=", "&grant_type=client_credentials"),
		textShape("env dump", "DB_HOST=db DB_PASSWORD=env-s3cr3t DB_USER=app", []string{"env-s3cr3t"}, "DB_HOST=db DB_PASSWORD=", " DB_USER=app"),
		textShape("YAML", "config:\n  password: yml-s3cr3t\n  port: 5432", []string{"yml-s3cr3t"}, "config:\n  password: ", "\n  port: 5432"),
		textShape("CLI flag", "exec mysql --password=cli-s3cr3t --host=db", []string{"cli-s3cr3t"}, "exec mysql --password=", " --host=db"),
		textShape("spaced =", "password = sp-s3cr3t, user = ann", []string{"sp-s3cr3t"}, "password = ", ", user = ann"),
		textShape("git token URL", "clone https://x-access-token:ghs_gitS3cr3t@github.com/o/r.git", []string{"ghs_gitS3cr3t"}, "clone https://", "@github.com/o/r.git"),
		textShape("FTP", "ftp://user:ftp-s3cr3t@ftp.example.com/file.csv", []string{"ftp-s3cr3t"}, "ftp://", "@ftp.example.com/file.csv"),
		textShape("SMTP", "smtp://mailer:smtp-s3cr3t@smtp.example.com:587", []string{"smtp-s3cr3t"}, "smtp://", "@smtp.example.com:587"),
		textShape("ClickHouse", "clickhouse://app:ch-s3cr3t@ch:9000/db?dial_timeout=1s", []string{"ch-s3cr3t"}, "clickhouse://", "@ch:9000/db?dial_timeout=1s"),
		textShape("Elasticsearch", "https://elastic:es-s3cr3t@es.internal:9200", []string{"es-s3cr3t"}, "https://", "@es.internal:9200"),
		textShape("fmt %v of http.Header", "headers map[Accept:[*/*] Authorization:[Bearer fmt-s3cr3t] X-Request-Id:[42]]", []string{"fmt-s3cr3t"}, "headers map[Accept:[*/*] Authorization:", " X-Request-Id:[42]]"),
		textShape("fmt %+v of a struct", "config {Host:db User:app Password:fmtv-s3cr3t Port:5432}", []string{"fmtv-s3cr3t"}, "config {Host:db User:app Password:", " Port:5432}"),
		textShape("XML element", "<login><user>ann</user><password>xml-s3cr3t</password></login>", []string{"xml-s3cr3t"}, "<login><user>ann</user><password>", "</password></login>"),
		textShape("spaced key words", "Access Key ID: AKIDspaced3 Secret Access Key: sp2-s3cr3t", []string{"AKIDspaced3", "sp2-s3cr3t"}, "Access Key ID: ", " Secret Access Key: "),
		textShape("nothing secret", `pq: password authentication failed for user "app"`, nil, `pq: password authentication failed for user "app"`),
		textShape("token count", "used token_count=1234 of max_tokens=4096", nil, "used token_count=1234 of max_tokens=4096"),
	)
	return shapes
}

// loggedText returns every key and string value of a decoded line, one a
// line, sorted: the text a reader of the line sees.
func loggedText(v any, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			*out = append(*out, k)
			loggedText(x, out)
		}
	case []any:
		for _, x := range v {
			loggedText(x, out)
		}
	case string:
		*out = append(*out, v)
	default:
		*out = append(*out, fmt.Sprint(v))
	}
}

// checkShapes logs every shape through a SyncLogger made with cfg and
// checks each line: no secret, and (if keepText) all the text around it.
func checkShapes(t *testing.T, cfg Config, shapes []secretShape, keepText bool) {
	t.Helper()
	lines, _, st, _ := logged(t, cfg, func(l *SyncLogger) {
		for _, s := range shapes {
			msg := s.msg
			if msg == "" {
				msg = s.name
			}
			l.Info(msg, s.attrs...)
		}
	})
	require.Len(t, lines, len(shapes))
	require.Zero(t, st.RedactorErrors)
	for i, s := range shapes {
		var text []string
		loggedText(lines[i], &text)
		sort.Strings(text)
		all := strings.Join(text, "\n")
		for _, secret := range s.secrets {
			require.NotContains(t, all, secret, "%s: the secret is printed", s.name)
		}
		for _, keep := range s.keep {
			if !keepText {
				break
			}
			require.Contains(t, all, keep, "%s: the text around the secret is lost", s.name)
		}
		if len(s.secrets) > 0 {
			require.Contains(t, all, DefaultMask, s.name)
		} else if keepText {
			require.NotContains(t, all, DefaultMask, "%s: nothing is secret", s.name)
		}
	}
}

// TestRedactRealWorldShapes: the shapes people log secrets in, through a
// logger with the default redactors, end to end.
func TestRedactRealWorldShapes(t *testing.T) {
	shapes := secretShapes()
	require.GreaterOrEqual(t, len(shapes), 60)
	checkShapes(t, Config{}, shapes, true)
	// PII masks more (host addresses, e-mail addresses): no secret shows.
	checkShapes(t, Config{Redactors: []Redactor{Credentials(), PCI(), PII()}}, shapes, false)
}

// TestRedactIssueShapesByDefault: every shape of the issue that asked for
// this redaction (#15) is masked by the default redactors, a card number
// logged as an int64 included.
func TestRedactIssueShapesByDefault(t *testing.T) {
	shapes := []secretShape{
		keyShape("user_password"), keyShape("DBPassword"), keyShape("passphrase"), keyShape("X-Api-Key"),
		keyShape("aws_secret_access_key"), keyShape("jwt"),
		textShape("password= inside a string", "retrying with password=hunter2 now", []string{"hunter2"}, "retrying with password=", " now"),
		textShape("MySQL DSN", "app:s3cr3t@tcp(db:3306)/shop", []string{"s3cr3t"}, "@tcp(db:3306)/shop"),
	}
	checkShapes(t, Config{}, shapes, true)

	lines, _, _, _ := logged(t, Config{}, func(l *SyncLogger) {
		l.Info("m", slog.Int64("card", 4111111111111111), slog.Uint64("pan", 5500000000000004),
			slog.Int64("order_id", 4111111111111112), slog.Int64("ts", 1764000000000000000))
	})
	require.Equal(t, "***", lines[0]["card"])
	require.Equal(t, "***", lines[0]["pan"])
	require.Equal(t, float64(4111111111111112), lines[0]["order_id"], "fails Luhn: kept")
	require.Equal(t, float64(1764000000000000000), lines[0]["ts"], "starts with 1: kept")

	// "*password*" matches user_password.
	lines, _, _, _ = logged(t, Config{Redactors: []Redactor{RedactFields("*password*")}}, func(l *SyncLogger) {
		l.Info("m", slog.String("user_password", "p1"), slog.String("passwordHint", "p2"), slog.String("pass", "kept"))
	})
	require.Equal(t, "***", lines[0]["user_password"])
	require.Equal(t, "***", lines[0]["passwordHint"])
	require.Equal(t, "kept", lines[0]["pass"])
}
