// Command users shares the greeting package with api, but not its static files.
package main

import (
	"fmt"
	"net/http"

	"example.com/shop/internal/greeting"
	"example.com/shop/internal/httpkit"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "users: %s\n", greeting.Text())
	})
	httpkit.Main("users", mux)
}
