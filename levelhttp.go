package fapilog

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// maxLevelBody bounds the body LevelHandler reads.
const maxLevelBody = 64 << 10

// levelsBody is LevelHandler's JSON form.
type levelsBody struct {
	Levels *string `json:"levels"`
}

// LevelHandler returns an http.Handler that reads and sets l's levels, as
// zap's AtomicLevel does. GET answers {"levels":"<spec>"} (see
// Config.Levels). PUT or POST sets the levels from a body that is either
// the spec as plain text or {"levels":"<spec>"}, and answers as GET does;
// a bad spec answers 400 with {"error":"..."} naming the bad entry and
// changes nothing. Other methods answer 405. It does no authentication:
// mount it where only operators reach it.
func LevelHandler(l LevelController) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPut, http.MethodPost:
			spec, err := readSpec(r)
			if err == nil {
				err = l.SetLevels(spec)
			}
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
		default:
			w.Header().Set("Allow", "GET, PUT, POST")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method " + r.Method + " not allowed: use GET, PUT or POST"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"levels": l.Levels()})
	})
}

// readSpec reads a spec from r's body: JSON if it looks like an object,
// plain text otherwise.
func readSpec(r *http.Request) (string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLevelBody+1))
	if err != nil {
		return "", err
	}
	if len(body) > maxLevelBody {
		return "", errBodyTooLarge
	}
	text := strings.TrimSpace(string(body))
	if !strings.HasPrefix(text, "{") {
		return text, nil
	}
	var b levelsBody
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return "", &levelBodyError{"body is not {\"levels\":\"<spec>\"}: " + err.Error()}
	}
	if b.Levels == nil {
		return "", &levelBodyError{`body has no "levels" field`}
	}
	return *b.Levels, nil
}

type levelBodyError struct{ msg string }

func (e *levelBodyError) Error() string { return "fapilog: levels: " + e.msg }

var errBodyTooLarge = &levelBodyError{"body larger than 64 KiB"}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // a map of strings: cannot fail to encode
}
