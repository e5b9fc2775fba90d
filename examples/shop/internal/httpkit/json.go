package httpkit

import (
	"encoding/json"
	"net/http"
)

// WriteJSON sends v as an indented JSON body; encoding errors are the handler's bug, so they panic
// (net/http recovers and logs them) rather than sending half a response that looks valid.
func WriteJSON(w http.ResponseWriter, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(body, '\n'))
}
