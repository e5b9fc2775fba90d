// Command orders lists orders. It is the only user of internal/money, so a change
// there must rebuild orders alone.
package main

import (
	"fmt"
	"net/http"

	"example.com/shop/internal/httpkit"
	"example.com/shop/internal/money"
)

type order struct {
	ID       string `json:"id"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
	Total    string `json:"total"`
}

// orders is fixed sample data: the demo is about builds and deploys, not storage.
func orders() []order {
	lines := []struct {
		id, item string
		unit     money.Cents
		quantity int
	}{
		{"o-1001", "coffee beans 1kg", 1890, 2},
		{"o-1002", "espresso cup", 650, 4},
		{"o-1003", "milk jug", 1299, 1},
	}
	out := make([]order, 0, len(lines))
	for _, l := range lines {
		out = append(out, order{l.id, l.item, l.quantity, l.unit.Times(l.quantity).String()})
	}
	return out
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "orders: ready to take orders")
	})
	mux.HandleFunc("GET /orders", func(w http.ResponseWriter, _ *http.Request) {
		httpkit.WriteJSON(w, orders())
	})
	httpkit.Main("orders", mux)
}
