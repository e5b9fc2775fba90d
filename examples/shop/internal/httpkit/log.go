package httpkit

import (
	"fmt"
	"net/http"
	"time"
)

// statusRecorder remembers the status code and body size a handler wrote, for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// logRequests writes one line per request to stdout, where container engines collect logs.
func logRequests(service string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, req)
		fmt.Printf("%s: %s %s %d %dB %s\n",
			service, req.Method, req.URL.Path, rec.status, rec.bytes, time.Since(start).Round(time.Microsecond))
	})
}
