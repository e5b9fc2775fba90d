// Command api is the shop's front door. It uses the shared greeting package and
// serves static files that dray.yaml copies into the image as their own layer.
package main

import (
	"fmt"
	"net/http"
	"os"

	"example.com/shop/internal/greeting"
	"example.com/shop/internal/httpkit"
)

// version is set at link time by dray.yaml's ldflags (-X), so the build flags are exercised.
var version = "dev"

func main() {
	mux := http.NewServeMux()
	// {$} matches "/" only; other paths get 404 instead of this text.
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "api: %s\n", greeting.Text())
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, _ *http.Request) {
		httpkit.WriteJSON(w, map[string]string{"service": "api", "version": version})
	})
	// The image has the files at /srv/static; a local run points STATIC_DIR at services/api/static.
	static := os.Getenv("STATIC_DIR")
	if static == "" {
		static = "/srv/static"
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir(static))))
	httpkit.Main("api", mux)
}
